// Lint: typescript-eslint's recommended rules plus Nx module boundaries (STYLE.md conventions 1-2).
const nx = require('@nx/eslint-plugin');
const tseslint = require('typescript-eslint');
const prettierOff = require('eslint-config-prettier');

/**
 * Secrets are compared only with `constantTimeEqual` (@twostep/crypto): an `===`/`!==`/`==`/`!=` or
 * a `.equals()` whose operand is named like a secret (key, secret, hash, token, password, otp, code,
 * digest, mac, signature) is an error in source. Comparisons with a literal (`code === 'EAUTH'`,
 * `x !== undefined`) carry no secret and are allowed. Guarded by scripts/eslint-secret-compare.spec.ts.
 */
const SECRET_NAME = '/(key|secret|hash|token|password|passwd|otp|code|digest|mac|signature)s?$/i';
const secretOperand = (side) =>
  [
    `[${side}.name=${SECRET_NAME}]`,
    `[${side}.property.name=${SECRET_NAME}]`,
    `[${side}.expression.property.name=${SECRET_NAME}]`,
    `[${side}.callee.property.name=${SECRET_NAME}]`,
    `[${side}.callee.name=${SECRET_NAME}]`,
  ].join(', ');
const SECRET_COMPARE_MESSAGE = 'Compare secrets with constantTimeEqual from @twostep/crypto, never with ===, !==, == or != (timing leak).';
const secretCompareRule = [
  'error',
  {
    selector:
      "BinaryExpression[operator=/^[!=]==?$/]:not([left.type='Literal']):not([right.type='Literal']):not([left.type='Identifier'][left.name='undefined']):not([right.type='Identifier'][right.name='undefined'])" +
      `:matches(${secretOperand('left')}, ${secretOperand('right')})`,
    message: SECRET_COMPARE_MESSAGE,
  },
  {
    selector: `CallExpression[callee.property.name='equals']:matches([callee.object.name=${SECRET_NAME}], [callee.object.property.name=${SECRET_NAME}], [arguments.0.name=${SECRET_NAME}], [arguments.0.property.name=${SECRET_NAME}])`,
    message: SECRET_COMPARE_MESSAGE,
  },
];

module.exports = [
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', '.nx/**', 'coverage/**', 'bench/peer/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  prettierOff, // formatting belongs to Prettier (`npm run lint` runs `prettier --check`)
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unsafe-function-type': 'off', // TypeORM's entity lists are Function[]
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:data-access'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:util', 'type:contracts'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contracts'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:util', 'type:contracts', 'type:testing'] },
            {
              sourceTag: 'type:contracts',
              onlyDependOnLibsWithTags: [],
              bannedExternalImports: ['typeorm', 'bullmq', '@nestjs/*', 'twilio', 'ioredis', 'pg', 'nodemailer'],
            },
            { sourceTag: 'scope:auth', onlyDependOnLibsWithTags: ['scope:auth', 'scope:shared'] },
            { sourceTag: 'scope:mfa', onlyDependOnLibsWithTags: ['scope:mfa', 'scope:shared'] },
            { sourceTag: 'scope:notifier', onlyDependOnLibsWithTags: ['scope:notifier', 'scope:shared'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    // config checks run once at start-up on the operator's values (no attacker-timed compare there)
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'libs/testing/**', 'apps/*/src/config/**'],
    rules: { 'no-restricted-syntax': secretCompareRule },
  },
  {
    // tests may use the testing lib and anything shared
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['scripts/**/*.js', 'bench/**/*.js', '*.cjs', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-console': 'off' },
  },
];
