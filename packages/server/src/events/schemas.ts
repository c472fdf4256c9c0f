import { Type as T } from 'typebox';
import { closed } from '../kernel/schemas.js';

/** Request schemas of the event stream. */
export const EventsQuery = T.Object({ after: T.Optional(T.Integer({ minimum: -1 })) }, closed);
