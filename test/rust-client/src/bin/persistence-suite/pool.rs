//! Convex's connection layer (`crates/postgres/src/connection.rs`) without metrics and
//! retries: a pool of tokio-postgres clients, each with its own cache of prepared statements
//! (evicting one closes it on the server), `@db_name`/`@instance_name` substituted into
//! every statement, and transactions whose statements share the connection's cache.

use std::cell::RefCell;
use std::collections::VecDeque;

use bytes::Bytes;
use tokio_postgres::types::{BorrowToSql, ToSql};
use tokio_postgres::{Client, Config, CopyInSink, NoTls, Row, Statement, Transaction};

use crate::model::Res;

/// Convex caps cached statements per connection (POSTGRES_MAX_CACHED_STATEMENTS, default 128);
/// 8 here, as that knob allows, so eviction (and Close of a cached statement) happens in runs.
const MAX_CACHED_STATEMENTS: usize = 8;

/// Statement text → prepared statement, oldest first.
type StatementCache = RefCell<VecDeque<(String, Statement)>>;

pub struct Pool {
    config: Config,
    idle: RefCell<Vec<Pooled>>,
}

struct Pooled {
    client: Client,
    cache: StatementCache,
}

/// `postgres_protocol::escape::escape_identifier`.
pub fn escape_identifier(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `postgres_protocol::escape::escape_literal`.
pub fn escape_literal(s: &str) -> String {
    let body = s.replace('\'', "''");
    if s.contains('\\') {
        format!(" E'{}'", body.replace('\\', "\\\\"))
    } else {
        format!("'{body}'")
    }
}

impl Pool {
    pub fn new(config: Config) -> Pool {
        Pool { config, idle: RefCell::new(vec![]) }
    }

    /// Convex's pool must be leader-only (target_session_attrs=read-write).
    pub fn is_leader_only(&self) -> bool {
        self.config.get_target_session_attrs() == tokio_postgres::config::TargetSessionAttrs::ReadWrite
    }

    async fn create(&self) -> Res<Pooled> {
        let (client, connection) = self.config.connect(NoTls).await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                eprintln!("connection error: {e}");
            }
        });
        Ok(Pooled { client, cache: RefCell::new(VecDeque::new()) })
    }

    /// A connection for one unit of work; it returns to the pool when dropped.
    pub async fn get<'a>(&'a self, schema: &'a str, instance: &'a str) -> Res<Conn<'a>> {
        let reused = loop {
            match self.idle.borrow_mut().pop() {
                Some(c) if c.client.is_closed() => continue,
                other => break other,
            }
        };
        let conn = match reused {
            Some(c) => c,
            None => self.create().await?,
        };
        Ok(Conn { pool: self, conn: Some(conn), schema, instance })
    }

    /// Drops idle connections (Convex's pool shutdown).
    pub fn shutdown(&self) {
        self.idle.borrow_mut().clear();
    }
}

pub struct Conn<'a> {
    pool: &'a Pool,
    conn: Option<Pooled>,
    /// Escaped identifier, e.g. `"public"`.
    schema: &'a str,
    /// Escaped literal, e.g. `'test'`.
    instance: &'a str,
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            self.pool.idle.borrow_mut().push(c);
        }
    }
}

fn substitute(query: &str, schema: &str, instance: &str) -> String {
    query.replace("@db_name", schema).replace("@instance_name", instance)
}

async fn prepare_cached(client: &Client, cache: &StatementCache, query: String) -> Res<Statement> {
    if let Some((_, st)) = cache.borrow().iter().find(|(q, _)| *q == query) {
        return Ok(st.clone());
    }
    let st = client.prepare(&query).await?;
    let mut cache = cache.borrow_mut();
    cache.push_back((query, st.clone()));
    // Dropping the last handle of the evicted statement makes the driver send Close.
    if cache.len() > MAX_CACHED_STATEMENTS {
        cache.pop_front();
    }
    Ok(st)
}

impl<'a> Conn<'a> {
    fn pooled(&self) -> &Pooled {
        self.conn.as_ref().expect("taken only in drop")
    }

    pub fn client(&self) -> &Client {
        &self.pooled().client
    }

    pub fn substitute(&self, query: &str) -> String {
        substitute(query, self.schema, self.instance)
    }

    pub async fn batch_execute(&self, query: &str) -> Res<()> {
        Ok(self.client().batch_execute(&self.substitute(query)).await?)
    }

    pub async fn query_opt(&self, query: &str, params: &[&(dyn ToSql + Sync)]) -> Res<Option<Row>> {
        Ok(self.client().query_opt(&self.substitute(query), params).await?)
    }

    pub async fn prepare_cached(&self, query: &str) -> Res<Statement> {
        let c = self.pooled();
        prepare_cached(&c.client, &c.cache, self.substitute(query)).await
    }

    /// `query_raw`, collected: Convex streams the rows of one page and keeps them all.
    pub async fn query_raw<P, I>(&self, statement: &Statement, params: I) -> Res<Vec<Row>>
    where
        P: BorrowToSql,
        I: IntoIterator<Item = P>,
        I::IntoIter: ExactSizeIterator,
    {
        use futures_util::TryStreamExt;
        let stream = self.client().query_raw(statement, params).await?;
        Ok(stream.try_collect().await?)
    }

    pub async fn execute(&self, statement: &Statement, params: &[&(dyn ToSql + Sync)]) -> Res<u64> {
        Ok(self.client().execute(statement, params).await?)
    }

    pub async fn copy_in(&self, statement: &Statement) -> Res<CopyInSink<Bytes>> {
        Ok(self.client().copy_in(statement).await?)
    }

    pub async fn transaction(&mut self) -> Res<Tx<'_>> {
        let (schema, instance) = (self.schema, self.instance);
        let pooled = self.conn.as_mut().expect("taken only in drop");
        // Convex's driver (tokio-postgres ≥ 0.7.8) opens transactions with START TRANSACTION.
        let inner = pooled.client.build_transaction().start().await?;
        Ok(Tx { inner, cache: &pooled.cache, schema, instance })
    }
}

/// A transaction on a pooled connection (`PostgresTransaction`).
pub struct Tx<'a> {
    inner: Transaction<'a>,
    cache: &'a StatementCache,
    schema: &'a str,
    instance: &'a str,
}

impl Tx<'_> {
    pub async fn prepare_cached(&self, query: &str) -> Res<Statement> {
        prepare_cached(self.inner.client(), self.cache, substitute(query, self.schema, self.instance)).await
    }

    pub async fn query(&self, statement: &Statement, params: &[&(dyn ToSql + Sync)]) -> Res<Vec<Row>> {
        Ok(self.inner.query(statement, params).await?)
    }

    pub async fn execute_raw<P, I>(&self, statement: &Statement, params: I) -> Res<u64>
    where
        P: BorrowToSql,
        I: IntoIterator<Item = P>,
        I::IntoIter: ExactSizeIterator,
    {
        Ok(self.inner.execute_raw(statement, params).await?)
    }

    pub async fn commit(self) -> Res<()> {
        Ok(self.inner.commit().await?)
    }
}
