/** RFC 6962 published vectors through core's Merkle code on Node's `#crypto` (node:crypto). */
import { rfc6962Suite } from './rfc6962.suite.js';

rfc6962Suite('RFC 6962 published vectors (node:crypto)', () => import('../src/verifier.js'));
