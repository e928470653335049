import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OBJECT_STORE, type ObjectStore } from '../ais/store';
import { CredentialStore } from '../auth/credentials';
import type { AppConfig } from '../config/configuration';
import { MetricsService } from '../metrics/metrics.service';
import { Authorizer } from './authorizer';
import { describeGrant } from './acl/grants';

/**
 * Access control as the application provides it (README, "Access control"): the keys and who they are (read
 * only in `verify` mode; `parse` mode trusts no identity and enforces nothing), and the Authorizer over the
 * store, logging its decisions at debug and counting refusals in s3_access_denied_total.
 */
@Injectable()
export class AccessControl extends Authorizer {
  constructor(config: ConfigService<AppConfig, true>, @Inject(OBJECT_STORE) store: ObjectStore, metrics: MetricsService) {
    const verify = config.get('auth', { infer: true }) === 'verify';
    const credentials = verify
      ? new CredentialStore(config.get('accessKey', { infer: true }), config.get('credentialsFile', { infer: true }), Date.now, {
          adminKeys: config.get('adminKeys', { infer: true }),
        })
      : undefined;
    const logger = new Logger('Access');
    const debug = ['debug', 'trace'].includes(config.get('logLevel', { infer: true }));
    super(store, credentials, {
      defaultBucketOwner: config.get('defaultBucketOwner', { infer: true }),
      denied: (operation, reason) => metrics.accessDenied.inc({ operation, reason }),
      log: debug
        ? (request, principal, decision, statement) => {
            const who = principal.kind === 'user' ? `${principal.accessKeyId}${principal.admin ? ' (admin)' : ''}` : 'anonymous';
            const verdict = decision.allowed ? 'allowed' : 'denied';
            const grant = decision.allowed && decision.grant ? ` (grant ${describeGrant(decision.grant)})` : '';
            const by = statement === undefined ? grant : ` (policy statement ${statement})`;
            logger.debug(`${verdict} ${request.operation} on ${request.bucket ?? '-'} for ${who}: ${decision.reason}${by} [${request.id}]`);
          }
        : undefined,
    });
  }
}
