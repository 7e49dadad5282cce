import Testing

@testable import OpsqlKit

struct StatementClassifierTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let sql: String
    let expected: DangerClass
    var testDescription: String { "\(expected.name): \(sql)" }
  }

  private static func r(_ s: String) -> Case { Case(sql: s, expected: .read) }
  private static func w(_ s: String) -> Case { Case(sql: s, expected: .write) }
  private static func d(_ s: String) -> Case { Case(sql: s, expected: .destructive) }

  static let cases: [Case] = [
    // Reads.
    r("select 1"), r("SELECT * FROM t WHERE id = 1"), r("(select 1) union (select 2)"),
    r("values (1), (2)"), r("table pg_class"), r("show work_mem"), r("show all"),
    r("select 'delete from t' as s"), r("select \"update\" from t"), r("-- drop table t\nselect 1"),
    r("/* truncate t; */ select 1"), r("explain select * from t"),
    r("explain delete from t"), r("explain (analyze false) delete from t"),
    r("explain analyze select * from t"), r("begin"), r("commit"), r("rollback"), r("end"),
    r("savepoint a"), r("release savepoint a"), r("set work_mem = '64MB'"),
    r("set local statement_timeout = 0"), r("reset all"), r("discard all"),
    r("with x as (select 1) select * from x"),
    r(
      "with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select * from r"),
    r("copy t to stdout"), r("copy (select * from t) to stdout with csv"),
    r("declare c cursor for select 1"), r("fetch 10 from c"), r("close c"),
    r("prepare q as select $1::int"), r("deallocate q"), r("listen chan"),
    r("select pg_sleep(1)"),
    r("select * from pg_stat_activity where query like '%pg_terminate_backend%'"),
    r("pragma table_info('t')"), r(""), r(";"),
    // Writes.
    w("insert into t values (1)"), w("insert into t select * from u"),
    w("insert into t values (1) on conflict (id) do update set x = excluded.x"),
    w("update t set x = 1 where id = 1"), w("UPDATE t SET x = 1 WHERE(id=1)"),
    w("delete from t where id = 1"), w("delete from t where id in (select id from u)"),
    w("update t set x = 1 where current of c"), w("create table t (id int)"),
    w("create temp table t as select 1"), w("create index on t (x)"),
    w("create unique index concurrently i on t (x)"), w("create view v as select 1"),
    w("alter table t add column c int"), w("alter table t rename to u"),
    w("alter table t alter column c set not null"), w("alter index i rename to j"),
    w("vacuum t"), w("vacuum (verbose, analyze) t"), w("analyze t"),
    w("copy t from stdin"), w("lock table t in access exclusive mode"), w("checkpoint"),
    w("comment on table t is 'x'"), w("refresh materialized view m"), w("notify chan"),
    w("select * from t for update"), w("select * from t for no key update"),
    w("select 1 into new_table"), w("select nextval('s')"), w("select setval('s', 10)"),
    w("select pg_create_physical_replication_slot('s')"),
    w("explain analyze insert into t values (1)"), w("explain analyze delete from t where id = 1"),
    w("with x as (insert into t values (1) returning id) select * from x"),
    w("with x as (select 1) update t set a = 1 where b = 2"),
    w("merge into t using u on t.id = u.id when matched then update set x = u.x"),
    w("set role admin"), w("pragma foreign_keys = off"), w("replace into t values (1)"),
    w("prepare transaction 'x'"),
    // Destructive.
    d("drop table t"), d("DROP INDEX CONCURRENTLY i"), d("truncate t"),
    d("truncate table t, u cascade"),
    d("delete from t"), d("DELETE FROM t RETURNING *"), d("update t set x = 1"),
    d("update t set x = 'a where b'"), d("update t set x = (select y from u where u.id = 1)"),
    d("delete from t using u"), d("delete from t where true"), d("update t set x = 1 where 1 = 1"),
    d("with x as (delete from t returning *) select * from x"),
    d("with a as (select 1), b as (delete from t) select 1"),
    d("with x as (select 1) delete from t"), d("explain analyze delete from t"),
    d("explain (analyze, buffers) update t set x = 1"), d("alter table t drop column c"),
    d("alter table t alter column c drop not null"), d("ALTER TABLE t DROP CONSTRAINT c"),
    d("alter system set work_mem = '1GB'"), d("grant select on t to bob"),
    d("revoke all on t from bob"), d("create role bob login password 'x'"),
    d("create user bob"), d("alter role bob superuser"), d("alter user bob password 'y'"),
    d("drop role bob"), d("reassign owned by bob to alice"),
    d("alter default privileges in schema s grant select on tables to r"), d("vacuum full t"),
    d("vacuum (full) t"), d("VACUUM (FULL true, ANALYZE) t"), d("cluster t using i"),
    d("reindex table t"), d("select pg_terminate_backend(123)"),
    d("SELECT pg_catalog.pg_cancel_backend(pid) FROM pg_stat_activity"),
    d("select pg_drop_replication_slot('s')"), d("select pg_reload_conf()"),
    d("select lo_unlink(1)"), d("select \"pg_terminate_backend\"(1)"),
    d("select pg_stat_statements_reset()"),
    d("select pg_logical_slot_get_changes('s', null, null)"),
    d("do $$ begin delete from t; end $$"), d("call p()"), d("execute q(1)"),
    d("copy t to '/tmp/x'"), d("copy t from program 'rm -rf /'"), d("load 'x'"),
    d("frobnicate the database"), d("select 1; drop table t"), d("begin; delete from t; commit"),
    d("merge into t using u on t.id = u.id when matched then delete"),
    d("attach database 'x' as y"),
    d("123"),
  ]

  @Test(arguments: cases)
  func classifies(_ c: Case) {
    #expect(StatementClassifier.classify(c.sql).danger == c.expected, "\(c.sql)")
  }

  @Test func thereAreEnoughCases() {
    #expect(Self.cases.count >= 80)
  }

  @Test func reasonsNameTheTrap() {
    #expect(
      StatementClassifier.classify("delete from t").reason
        == "DELETE without WHERE touches every row")
    #expect(
      StatementClassifier.classify("select pg_terminate_backend(1)").reason
        == "calls pg_terminate_backend()")
    #expect(
      StatementClassifier.classify("explain analyze delete from t").reason.hasPrefix(
        "EXPLAIN ANALYZE runs it"))
  }
}
