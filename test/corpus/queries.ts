/** @module Reading: filters, ordering, paging, joins, grouping, subqueries, CTEs, set operations, expressions. */
import { type Group, q, SKIP } from './case.ts';

export const queries: Group = {
  name: 'queries',
  cases: [
    q('create people', 'CREATE TABLE people (id int8 PRIMARY KEY, name text NOT NULL, dept_id int4, salary numeric, born date)'),
    q('create depts', 'CREATE TABLE depts (id int4 PRIMARY KEY, name text NOT NULL)'),
    q('insert depts', "INSERT INTO depts VALUES (1, 'eng'), (2, 'ops'), (3, 'empty')"),
    q('insert people', "INSERT INTO people VALUES (1, 'ann', 1, 100, '1990-01-01'), (2, 'bob', 1, 80, '1985-05-05'), (3, 'cid', 2, 90, NULL), (4, 'dee', NULL, 70, '2000-12-31'), (5, 'eve', 2, NULL, '1995-06-15')"),
    // WHERE
    q('where comparison', 'SELECT name FROM people WHERE salary > 75 ORDER BY name'),
    q('where IN and AND', 'SELECT name FROM people WHERE dept_id IN (1, 2) AND salary IS NOT NULL'),
    q('where BETWEEN', "SELECT name FROM people WHERE name BETWEEN 'b' AND 'd'"),
    q('where OR', 'SELECT id FROM people WHERE dept_id = 2 OR salary < 75'),
    q('where NOT IN', 'SELECT id FROM people WHERE id NOT IN (1, 3, 5)'),
    q('where ILIKE', "SELECT name FROM people WHERE name ILIKE 'A%'"),
    q('row-value comparison', 'SELECT id FROM people WHERE (dept_id, salary) > (1, 90) ORDER BY id'),
    // ORDER BY, LIMIT, OFFSET
    q('order DESC NULLS LAST', 'SELECT name FROM people ORDER BY salary DESC NULLS LAST, name'),
    q('order ASC puts NULLs last', 'SELECT name, salary FROM people ORDER BY salary'),
    q('order by ordinal', 'SELECT name FROM people ORDER BY 1 DESC'),
    q('order by alias', 'SELECT upper(name) AS n FROM people ORDER BY n DESC LIMIT 1'),
    q('limit', 'SELECT name FROM people ORDER BY id LIMIT 2'),
    q('limit offset', 'SELECT name FROM people ORDER BY id LIMIT 2 OFFSET 2'),
    q('offset only', 'SELECT name FROM people ORDER BY id OFFSET 4'),
    q('distinct', 'SELECT DISTINCT dept_id FROM people'),
    q('distinct on', 'SELECT DISTINCT ON (dept_id) dept_id, name FROM people ORDER BY dept_id, salary DESC', { skip: SKIP.distinctOn }),
    // JOINs
    q('inner join', 'SELECT p.name, d.name FROM people p JOIN depts d ON d.id = p.dept_id ORDER BY p.id'),
    q('left join', 'SELECT p.name, d.name FROM people p LEFT JOIN depts d ON d.id = p.dept_id ORDER BY p.id'),
    q('right join', 'SELECT p.name, d.name FROM people p RIGHT JOIN depts d ON d.id = p.dept_id', { skip: SKIP.fullJoin }),
    q('full join', 'SELECT p.name, d.name FROM people p FULL JOIN depts d ON d.id = p.dept_id', { skip: SKIP.fullJoin }),
    q('cross join count', 'SELECT count(*) FROM people CROSS JOIN depts'),
    q('join USING-free comma join', 'SELECT p.id FROM people p, depts d WHERE p.dept_id = d.id AND d.name = $1', { params: ['ops'] }),
    // GROUP BY and aggregates
    q('group by with aggregates', 'SELECT dept_id, count(*), sum(salary), min(name), max(born) FROM people GROUP BY dept_id'),
    q('avg of numeric', 'SELECT dept_id, avg(salary) FROM people GROUP BY dept_id'),
    q('having', 'SELECT dept_id, count(*) FROM people GROUP BY dept_id HAVING count(*) > 1 ORDER BY dept_id'),
    q('count column and distinct', 'SELECT count(salary), count(DISTINCT dept_id) FROM people'),
    q('left join group count', 'SELECT d.name, count(p.id) FROM depts d LEFT JOIN people p ON p.dept_id = d.id GROUP BY d.name ORDER BY d.name'),
    q('group by ordinal', 'SELECT dept_id, count(*) FROM people GROUP BY 1 ORDER BY 2 DESC, 1 NULLS FIRST'),
    q('aggregate of empty set', 'SELECT count(*), sum(salary), max(name) FROM people WHERE id < 0'),
    // Subqueries
    q('scalar subquery in WHERE', 'SELECT name FROM people WHERE salary > (SELECT avg(salary) FROM people)'),
    q('IN subquery', "SELECT name FROM people WHERE dept_id IN (SELECT id FROM depts WHERE name = 'eng')"),
    q('EXISTS', 'SELECT name FROM depts d WHERE EXISTS (SELECT 1 FROM people p WHERE p.dept_id = d.id)'),
    q('NOT EXISTS', 'SELECT name FROM depts d WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.dept_id = d.id)'),
    q('correlated scalar subquery', 'SELECT d.name, (SELECT count(*) FROM people p WHERE p.dept_id = d.id) AS n FROM depts d ORDER BY d.id'),
    q('derived table', 'SELECT * FROM (SELECT dept_id, max(salary) AS top FROM people GROUP BY dept_id) t WHERE top > 85'),
    // CTEs
    q('CTE', 'WITH rich AS (SELECT * FROM people WHERE salary >= 90) SELECT name FROM rich ORDER BY name'),
    q('chained CTEs', 'WITH a AS (SELECT id FROM people), b AS (SELECT id FROM a WHERE id > 2) SELECT count(*) FROM b'),
    q('recursive CTE', 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5) SELECT sum(x) FROM n', { skip: SKIP.recursiveCte }),
    q('UNION ALL of ORDER BY LIMIT 1 branches', '(SELECT id FROM people WHERE dept_id = 1 ORDER BY id DESC LIMIT 1) UNION ALL (SELECT id FROM people WHERE dept_id = 2 ORDER BY id DESC LIMIT 1)', { ordered: false }),
    // Set operations
    q('UNION', 'SELECT name FROM people UNION SELECT name FROM depts'),
    q('UNION ALL', 'SELECT dept_id FROM people UNION ALL SELECT id FROM depts'),
    q('EXCEPT', 'SELECT id FROM depts EXCEPT SELECT dept_id FROM people', { skip: SKIP.setOperations }),
    q('INTERSECT', 'SELECT id FROM depts INTERSECT SELECT dept_id FROM people', { skip: SKIP.setOperations }),
    // Expressions
    q('searched CASE', "SELECT name, CASE WHEN salary >= 90 THEN 'high' WHEN salary >= 75 THEN 'mid' ELSE 'low' END FROM people ORDER BY id"),
    q('simple CASE', "SELECT name, CASE dept_id WHEN 1 THEN 'eng' WHEN 2 THEN 'ops' END FROM people ORDER BY id"),
    q('COALESCE', "SELECT name, COALESCE(salary, 0), COALESCE(dept_id::text, 'none') FROM people ORDER BY id"),
    q('NULLIF', 'SELECT NULLIF(dept_id, 1) FROM people ORDER BY id'),
    q('casts', "SELECT id::text, salary::int4, '42'::int8, 3.7::int4, CAST(born AS text) FROM people ORDER BY id"),
    q('greatest and least', "SELECT greatest(1, 2, 3), least('b', 'a')", { skip: SKIP.functions }),
    q('abs and power', 'SELECT abs(-5), abs(-2.5), 2 ^ 10'),
    q('select without FROM', "SELECT 1 AS one, 'two' AS two, 3.0 AS three"),
    q('unnest array', 'SELECT x FROM unnest(ARRAY[3, 1, 2]) AS x ORDER BY x', { skip: SKIP.arrays }),
  ],
};
