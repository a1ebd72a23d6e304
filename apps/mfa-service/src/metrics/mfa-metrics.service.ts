import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import { MfaFactor } from '@twostep/contracts';
import type { FailureReason } from '../challenges/failure-reason';
import { METRICS } from '@twostep/platform';

/** The counters mfa-service exports on /metrics. */
@Injectable()
export class MfaMetrics {
  readonly challengesCreated: Counter<'factor'>;
  readonly challengesVerified: Counter<'factor'>;
  readonly verificationFailures: Counter<'factor' | 'reason'>;
  readonly lockouts: Counter<'factor' | 'kind'>;
  readonly rpcDuration: Histogram<'pattern' | 'outcome'>;
  readonly enrollments: Counter<'result'>;
  readonly enqueueFailures: Counter<'queue'>;
  readonly deliveryResults: Counter<'status'>;

  constructor(@Inject(METRICS) registry: Registry) {
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name, help, labelNames, registers: [registry] });
    this.challengesCreated = counter('mfa_challenges_created_total', 'MFA challenges created, by factor', ['factor']);
    this.challengesVerified = counter('mfa_challenges_verified_total', 'MFA challenges completed successfully, by factor', ['factor']);
    this.verificationFailures = counter(
      'mfa_verification_failures_total',
      'Refused MFA verifications (challenges and TOTP enrollment), by factor and reason',
      ['factor', 'reason'],
    );
    this.lockouts = counter(
      'mfa_lockouts_total',
      'Lockouts started by the failure budget, by factor and kind (timed, hard: until another factor or an admin)',
      ['factor', 'kind'],
    );
    this.rpcDuration = new Histogram({
      name: 'mfa_rpc_duration_seconds',
      help: 'Time mfa-service spent handling an RPC, by pattern and outcome (ok, refused: a 4xx answer, error: 5xx or unexpected)',
      labelNames: ['pattern', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.enrollments = counter('mfa_totp_enrollments_total', 'TOTP authenticator enrollment events, by result', ['result']);
    this.enqueueFailures = counter('mfa_enqueue_failures_total', 'Jobs that could not be enqueued (the request answered 503)', ['queue']);
    this.deliveryResults = counter('mfa_delivery_results_total', 'Delivery outcomes recorded on challenges, by status', ['status']);
  }

  failed(factor: MfaFactor, reason: FailureReason): void {
    this.verificationFailures.inc({ factor, reason });
  }
}
