// QA scorecards' wiring: one service and its routes (and the review filters'), so that app.ts grows by a line.
import type { Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../db/database.js';
import { QaService } from './qa.service.js';
import { qaRoutes } from './qa.routes.js';
import { qaReportRoutes } from './qa-report.routes.js';
import { ReviewFilterService } from './review-filter.service.js';
import type { KnownLines } from './review-filter.js';
import { reviewFilterRoutes } from './review-filter.routes.js';

export function qaModule(db: Kysely<Database>, lines: KnownLines): { service: QaService; routes: FastifyPluginAsyncTypebox[] } {
  const service = new QaService(db);
  return { service, routes: [qaRoutes(service), qaReportRoutes(service), reviewFilterRoutes(new ReviewFilterService(db, lines))] };
}
