-- Tables, indexes, joins, aggregates, a transaction and a CTE, for sqlite3 in a VM and
-- natively; the output must be the same bytes.
CREATE TABLE emp(id INTEGER PRIMARY KEY, name TEXT NOT NULL, dept INTEGER, salary REAL);
CREATE TABLE dept(id INTEGER PRIMARY KEY, title TEXT UNIQUE);
CREATE INDEX emp_dept ON emp(dept);
BEGIN;
INSERT INTO dept VALUES (1, 'research'), (2, 'sales'), (3, 'empty');
INSERT INTO emp(name, dept, salary) VALUES
  ('ada', 1, 120.5), ('bob', 2, 80), ('cy', 1, 99.25), ('di', 2, 101), ('ed', NULL, 10);
COMMIT;
BEGIN;
UPDATE emp SET salary = salary * 2 WHERE dept = 2;
ROLLBACK;
SELECT d.title, count(e.id), printf('%.2f', coalesce(sum(e.salary), 0))
  FROM dept d LEFT JOIN emp e ON e.dept = d.id GROUP BY d.id ORDER BY d.title;
SELECT name FROM emp WHERE dept IS NULL;
WITH RECURSIVE fib(n, a, b) AS (SELECT 1, 0, 1 UNION ALL SELECT n + 1, b, a + b FROM fib WHERE n < 20)
  SELECT group_concat(a, ' ') FROM fib;
WITH ranked AS (SELECT name, salary, rank() OVER (ORDER BY salary DESC) AS r FROM emp)
  SELECT name, r FROM ranked WHERE r <= 3 ORDER BY r;
EXPLAIN QUERY PLAN SELECT * FROM emp WHERE dept = 1;
PRAGMA integrity_check;
SELECT count(*) FROM emp;
