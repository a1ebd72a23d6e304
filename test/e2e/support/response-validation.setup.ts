import { TestStack } from '@twostep/testing';
import { ResponseValidator, ValidatingProxy } from './response-validation';

/**
 * Every e2e suite (jest `setupFilesAfterEnv`): each TestStack's public endpoint goes through a
 * validating proxy, and the suite fails if any response did not match the OpenAPI description.
 */
const validator = new ResponseValidator();
TestStack.endpointProxy = (upstream) => ValidatingProxy.start(upstream, validator);

afterAll(() => {
  if (validator.violations.length > 0) {
    throw new Error(
      `${validator.violations.length} response(s) did not match the OpenAPI document (libs/contracts/src/http/operations.ts):\n${validator.report()}`,
    );
  }
});
