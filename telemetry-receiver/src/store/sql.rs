//! Every SQL statement the two engines share, written once, and the
//! migrations (the `.sql` files under `telemetry-receiver/migrations/`).
//!
//! The engines differ only by a small [`Dialect`]: how a parameter is
//! written (`?1` or `$1`), the names of the two-argument minimum and
//! maximum, the type of `raw_reports.day`, how a list is matched, and how
//! an insert skips a row that exists. What only one engine does (SQLite's
//! `DELETE` of old raw reports, PostgreSQL's day partitions) stays in that
//! engine's module.

use std::sync::LazyLock;

/// The SQL an engine speaks, where the two differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// The tables both engines create the same way, after `raw_reports`.
const SHARED_MIGRATIONS: [&str; 3] = [
    include_str!("../../migrations/shared/0001_agg_sessions.sql"),
    include_str!("../../migrations/shared/0002_agg_counts.sql"),
    include_str!("../../migrations/shared/0003_agg_numbers.sql"),
];

/// The past days' generation (see the file), the same on both engines, after the shards.
const GENERATION_MIGRATION: &str = include_str!("../../migrations/shared/0005_agg_generation.sql");

// Each aggregate table's merge is written once, for every statement that
// adds to the table: the ingest of both engines, and PostgreSQL's fold and
// compaction. Columns are qualified by their table: PostgreSQL needs it
// (`excluded` has the same columns), SQLite reads it as the unqualified name.

/// How a row added to `agg_sessions` merges with the row its key and shard
/// already have: the sessions add up.
pub const SESSIONS_MERGE: &str = "ON CONFLICT (day, schema_version, shard) \
     DO UPDATE SET sessions = agg_sessions.sessions + excluded.sessions";

/// How a row added to `agg_counts` merges with the row its key and shard
/// already have: the counts add up.
pub const COUNTS_MERGE: &str = "ON CONFLICT (day, schema_version, field, kind, key, shard) \
     DO UPDATE SET count = agg_counts.count + excluded.count";

impl Dialect {
    /// The statements in this dialect, built once per process.
    pub fn statements(self) -> &'static Statements {
        static SQLITE: LazyLock<Statements> = LazyLock::new(|| Statements::new(Dialect::Sqlite));
        static POSTGRES: LazyLock<Statements> =
            LazyLock::new(|| Statements::new(Dialect::Postgres));
        match self {
            Dialect::Sqlite => &SQLITE,
            Dialect::Postgres => &POSTGRES,
        }
    }

    /// The tables, in migration order: a database records how many have
    /// run (`schema_migrations`), so the order and the count never change;
    /// a new table is a new file at the end.
    pub fn migrations(self) -> [&'static str; 7] {
        let (raw, shards, pending) = match self {
            Dialect::Sqlite => (
                include_str!("../../migrations/sqlite/0000_raw_reports.sql"),
                include_str!("../../migrations/sqlite/0004_shards.sql"),
                include_str!("../../migrations/sqlite/0006_agg_pending.sql"),
            ),
            Dialect::Postgres => (
                include_str!("../../migrations/postgres/0000_raw_reports.sql"),
                include_str!("../../migrations/postgres/0004_shards.sql"),
                include_str!("../../migrations/postgres/0006_agg_pending.sql"),
            ),
        };
        let [sessions, counts, numbers] = SHARED_MIGRATIONS;
        [
            raw,
            sessions,
            counts,
            numbers,
            shards,
            GENERATION_MIGRATION,
            pending,
        ]
    }

    /// The migrations a database that has run `done` of them still needs,
    /// with the version each records.
    pub fn pending_migrations(self, done: i64) -> impl Iterator<Item = (i64, &'static str)> {
        (0_i64..)
            .zip(self.migrations())
            .filter(move |(version, _)| *version >= done)
    }

    /// The `n`th bound parameter.
    fn param(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }

    /// The two-argument minimum and maximum: SQLite's scalar `min`/`max`,
    /// PostgreSQL's `LEAST`/`GREATEST` (its `min`/`max` only aggregate).
    fn least_greatest(self) -> (&'static str, &'static str) {
        match self {
            Dialect::Sqlite => ("min", "max"),
            Dialect::Postgres => ("LEAST", "GREATEST"),
        }
    }

    /// How a row added to `agg_numbers` merges with the row its key and
    /// shard already have: counts and sums add up, the minimum and the
    /// maximum keep the extremes.
    pub fn numbers_merge(self) -> String {
        let (least, greatest) = self.least_greatest();
        format!(
            "ON CONFLICT (day, schema_version, field, shard) \
             DO UPDATE SET count = agg_numbers.count + excluded.count, sum = agg_numbers.sum + excluded.sum, \
             min = {least}(agg_numbers.min, excluded.min), max = {greatest}(agg_numbers.max, excluded.max)"
        )
    }

    /// Parameter `n` as `raw_reports.day`: TEXT on SQLite; on PostgreSQL a
    /// DATE (the partitioning key needs one), bound as text and cast.
    fn raw_day(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => self.param(n),
            Dialect::Postgres => format!("({}::text)::date", self.param(n)),
        }
    }

    /// `column` matching list parameter `n`: PostgreSQL binds an array;
    /// SQLite has none, so it binds one element and runs the statement once
    /// per element.
    fn one_of(self, column: &str, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("{column} = {}", self.param(n)),
            Dialect::Postgres => format!("{column} = ANY({})", self.param(n)),
        }
    }

    /// `INSERT INTO {into}` that leaves an existing row alone.
    fn insert_unless_present(self, into: &str) -> String {
        match self {
            Dialect::Sqlite => format!("INSERT OR IGNORE INTO {into}"),
            Dialect::Postgres => format!("INSERT INTO {into} ON CONFLICT DO NOTHING"),
        }
    }

    /// The type of `schema_migrations.version`.
    fn version_type(self) -> &'static str {
        match self {
            Dialect::Sqlite => "INTEGER",
            Dialect::Postgres => "BIGINT",
        }
    }
}

/// The shared statements in one dialect. Each names its parameters in its
/// doc, in binding order.
#[derive(Debug)]
pub struct Statements {
    /// Creates the table of migrations run, if missing.
    pub migrations_table: String,
    /// How many migrations have run.
    pub migrations_done: String,
    /// Records migration `version`.
    pub migration_record: String,
    /// A raw report, unless its day and session have one: day, session
    /// key, version, body. Inserts no row for a duplicate.
    pub raw_insert: String,
    /// More sessions: day, version, shard, how many. Every aggregate row
    /// has a shard: each writer adds to its own (see migration 0004), and
    /// the reads below sum them.
    pub sessions_upsert: String,
    /// Adds to a count: day, version, field, kind, key, shard, amount.
    pub count_upsert: String,
    /// An invented key's count under the day's cap (a free-form string's
    /// value, a string list's element, a map's key): day, version, field,
    /// kind, key, cap, `(other)`, amount, shard. The key counted is the key
    /// if it has a row today or the field has fewer keys of that kind than
    /// the cap, else `(other)`; returns the key counted.
    pub capped_upsert: String,
    /// Numbers' count, sum, min and max: day, version, field, shard,
    /// count, sum, min, max.
    pub number_upsert: String,
    /// A field's counts: field, from, to (both included).
    pub counts: String,
    /// A field's number statistics: field, from, to.
    pub numbers: String,
    /// Sessions per day and version: from, to.
    pub sessions: String,
    /// `field, day, version, kind, key, count` of the counts of one kind
    /// from a day to before another: from, before, the fields (a list: see
    /// `Dialect::one_of`), kind.
    pub value_counts_between: String,
    /// Deletes a day's counts of some keys: day, version, field, kind, the
    /// keys (a list: see `Dialect::one_of`).
    pub fold_delete: String,
    /// The number of the past days' counts (see migration 0005).
    pub generation: String,
    /// A new number, in the transaction that changes past days' counts.
    pub generation_bump: String,
}

impl Statements {
    fn new(dialect: Dialect) -> Statements {
        let [p1, p2, p3, p4, p5, p6, p7, p8, p9] =
            [1, 2, 3, 4, 5, 6, 7, 8, 9].map(|n| dialect.param(n));
        let same_field = format!(
            "FROM agg_counts WHERE day = {p1} AND schema_version = {p2} AND field = {p3} AND kind = {p4}"
        );
        Statements {
            migrations_table: format!(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version {} PRIMARY KEY)",
                dialect.version_type()
            ),
            migrations_done: "SELECT COUNT(*) FROM schema_migrations".to_owned(),
            migration_record: format!("INSERT INTO schema_migrations (version) VALUES ({p1})"),
            raw_insert: dialect.insert_unless_present(&format!(
                "raw_reports (day, session_key, schema_version, body) VALUES ({}, {p2}, {p3}, {p4})",
                dialect.raw_day(1)
            )),
            sessions_upsert: format!(
                "INSERT INTO agg_sessions (day, schema_version, shard, sessions) VALUES ({p1}, {p2}, {p3}, {p4}) \
                 {SESSIONS_MERGE}"
            ),
            count_upsert: format!(
                "INSERT INTO agg_counts (day, schema_version, field, kind, key, shard, count) \
                 VALUES ({p1}, {p2}, {p3}, {p4}, {p5}, {p6}, {p7}) {COUNTS_MERGE}"
            ),
            // CASE tries its branches in order: the count runs only for a
            // value without a row today.
            capped_upsert: format!(
                "INSERT INTO agg_counts (day, schema_version, field, kind, key, shard, count) \
                 VALUES ({p1}, {p2}, {p3}, {p4}, \
                 CASE WHEN EXISTS (SELECT 1 {same_field} AND key = {p5}) THEN {p5} \
                 WHEN (SELECT COUNT(DISTINCT key) {same_field}) < {p6} THEN {p5} ELSE {p7} END, {p9}, {p8}) \
                 {COUNTS_MERGE} RETURNING key"
            ),
            number_upsert: format!(
                "INSERT INTO agg_numbers (day, schema_version, field, shard, count, sum, min, max) \
                 VALUES ({p1}, {p2}, {p3}, {p4}, {p5}, {p6}, {p7}, {p8}) {}",
                dialect.numbers_merge()
            ),
            counts: format!(
                "SELECT day, schema_version, kind, key, CAST(SUM(count) AS BIGINT) FROM agg_counts \
                 WHERE field = {p1} AND day >= {p2} AND day <= {p3} \
                 GROUP BY day, schema_version, kind, key \
                 ORDER BY day, schema_version, kind, 5 DESC, key"
            ),
            numbers: format!(
                "SELECT day, schema_version, CAST(SUM(count) AS BIGINT), SUM(sum), MIN(min), MAX(max) \
                 FROM agg_numbers WHERE field = {p1} AND day >= {p2} AND day <= {p3} \
                 GROUP BY day, schema_version ORDER BY day, schema_version"
            ),
            sessions: format!(
                "SELECT day, schema_version, CAST(SUM(sessions) AS BIGINT) FROM agg_sessions \
                 WHERE day >= {p1} AND day <= {p2} GROUP BY day, schema_version \
                 ORDER BY day, schema_version"
            ),
            value_counts_between: format!(
                "SELECT field, day, schema_version, kind, key, CAST(SUM(count) AS BIGINT) \
                 FROM agg_counts WHERE day >= {p1} AND day < {p2} AND {} AND kind = {p4} \
                 GROUP BY field, day, schema_version, kind, key",
                dialect.one_of("field", 3)
            ),
            fold_delete: format!(
                "DELETE FROM agg_counts WHERE day = {p1} AND schema_version = {p2} AND field = {p3} \
                 AND kind = {p4} AND {}",
                dialect.one_of("key", 5)
            ),
            generation: "SELECT generation FROM agg_generation WHERE id = 0".to_owned(),
            generation_bump: "UPDATE agg_generation SET generation = generation + 1 WHERE id = 0"
                .to_owned(),
        }
    }

    /// Every statement, for checks over all of them.
    #[cfg(test)]
    fn all(&self) -> [&str; 15] {
        [
            &self.migrations_table,
            &self.migrations_done,
            &self.migration_record,
            &self.raw_insert,
            &self.sessions_upsert,
            &self.count_upsert,
            &self.capped_upsert,
            &self.number_upsert,
            &self.counts,
            &self.numbers,
            &self.sessions,
            &self.value_counts_between,
            &self.fold_delete,
            &self.generation,
            &self.generation_bump,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_dialect_writes_parameters_its_own_way_only() {
        for statement in Dialect::Sqlite.statements().all() {
            assert!(!statement.contains('$'), "{statement}");
        }
        for statement in Dialect::Postgres.statements().all() {
            assert!(!statement.contains('?'), "{statement}");
        }
    }

    #[test]
    fn the_engines_differ_only_where_the_dialect_says() {
        let (sqlite, postgres) = (Dialect::Sqlite.statements(), Dialect::Postgres.statements());
        assert_eq!(
            sqlite.raw_insert,
            "INSERT OR IGNORE INTO raw_reports (day, session_key, schema_version, body) \
             VALUES (?1, ?2, ?3, ?4)"
        );
        assert_eq!(
            postgres.raw_insert,
            "INSERT INTO raw_reports (day, session_key, schema_version, body) \
             VALUES (($1::text)::date, $2, $3, $4) ON CONFLICT DO NOTHING"
        );
        assert!(sqlite.number_upsert.ends_with(
            "min = min(agg_numbers.min, excluded.min), max = max(agg_numbers.max, excluded.max)"
        ));
        assert!(postgres.number_upsert.ends_with(
            "min = LEAST(agg_numbers.min, excluded.min), max = GREATEST(agg_numbers.max, excluded.max)"
        ));
        assert!(sqlite.fold_delete.ends_with("AND kind = ?4 AND key = ?5"));
        assert!(postgres
            .fold_delete
            .ends_with("AND kind = $4 AND key = ANY($5)"));
        // Everything else is the same text but for the parameters.
        let same = |statement: fn(&Statements) -> &String| {
            statement(sqlite).replace('?', "$") == *statement(postgres)
        };
        assert!(same(|s| &s.sessions_upsert));
        assert!(same(|s| &s.count_upsert));
        assert!(same(|s| &s.capped_upsert));
        assert!(same(|s| &s.counts));
        assert!(same(|s| &s.numbers));
        assert!(same(|s| &s.sessions));
        assert!(same(|s| &s.migration_record));
    }

    #[test]
    fn migrations_keep_their_order_and_differ_only_in_the_raw_table() {
        let (sqlite, postgres) = (Dialect::Sqlite.migrations(), Dialect::Postgres.migrations());
        assert!(sqlite[0].contains("CREATE TABLE raw_reports") && !sqlite[0].contains("PARTITION"));
        assert!(sqlite[4].contains("shard INTEGER") && postgres[4].contains("shard SMALLINT"));
        assert!(postgres[0].contains("PARTITION BY RANGE (day)"));
        for (index, table) in ["agg_sessions", "agg_counts", "agg_numbers"]
            .iter()
            .enumerate()
        {
            assert_eq!(sqlite[index + 1], postgres[index + 1]);
            assert!(sqlite[index + 1].contains(&format!("CREATE TABLE {table} (")));
        }
        let pending: Vec<i64> = Dialect::Sqlite
            .pending_migrations(2)
            .map(|(version, _)| version)
            .collect();
        assert_eq!(pending, [2, 3, 4, 5, 6]);
        assert_eq!(sqlite[5], postgres[5]);
        assert!(sqlite[5].contains("CREATE TABLE agg_generation ("));
        assert!(
            postgres[6].contains("CREATE TABLE agg_pending (") && !sqlite[6].contains("CREATE")
        );
    }
}
