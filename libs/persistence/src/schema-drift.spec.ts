import { ColumnShape, schemaDrift } from './schema-drift';

const migrated: ColumnShape[] = [
  { table: 'users', column: 'id', type: 'character varying(36)', nullable: false },
  { table: 'users', column: 'email', type: 'character varying(320)', nullable: true },
  { table: 'users', column: 'labels', type: 'text[]', nullable: false },
  { table: 'sessions', column: 'id', type: 'character varying(36)', nullable: false },
];

describe('schemaDrift (entities against the migrated schema)', () => {
  it('finds nothing when both describe the same tables and columns', () => {
    expect(schemaDrift([...migrated].reverse(), migrated)).toEqual([]);
  });

  it('reports a wrong type, a wrong nullability, a missing or an extra column, and a missing or an extra table', () => {
    const entities: ColumnShape[] = [
      { table: 'users', column: 'id', type: 'character varying(64)', nullable: false },
      { table: 'users', column: 'email', type: 'character varying(320)', nullable: false },
      { table: 'users', column: 'nickname', type: 'text', nullable: true },
      { table: 'tokens', column: 'id', type: 'character varying(36)', nullable: false },
    ];
    expect(schemaDrift(entities, migrated).sort()).toEqual(
      [
        'column users.id: entity type character varying(64), schema type character varying(36)',
        'column users.email: entity not null, schema nullable',
        'column users.nickname: entity only, not in the schema',
        'column users.labels: in the schema, no entity column',
        'table sessions: in the schema, no entity',
        'table tokens: entity only, not in the schema',
      ].sort(),
    );
  });
});
