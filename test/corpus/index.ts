/** @module The whole differential corpus, in the order the harness runs its groups. */
import type { Group } from './case.ts';
import { convex, transactions } from './convex.ts';
import { convexSql } from './convex-sql.ts';
import { ddl, schemas } from './ddl.ts';
import { dml } from './dml.ts';
import { errors } from './errors.ts';
import { inference } from './inference.ts';
import { booleans, floats, integers, numerics } from './numbers.ts';
import { params } from './params.ts';
import { distinctOn } from './distinct-on.ts';
import { queries } from './queries.ts';
import { byteas, texts } from './strings.ts';
import { datetimes, jsons, uuids } from './structured.ts';

export const corpus: Group[] = [ddl, schemas, integers, floats, numerics, booleans, texts, byteas, jsons, datetimes, uuids, queries, distinctOn, dml, errors, params, inference, transactions, convex, convexSql];

export { SKIP, type Case, type Group, type SkipReason } from './case.ts';
