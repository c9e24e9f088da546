//! A connection as Convex holds one: `target_session_attrs=read-write`, statements prepared
//! once per connection (Convex's `prepare_cached`) with unspecified parameter types.

use std::cell::RefCell;
use std::collections::HashMap;
use std::str::FromStr;

use tokio_postgres::config::TargetSessionAttrs;
use tokio_postgres::{Client, Config, NoTls, Statement};

use crate::sql::in_schema;

/// A failed operation, worded as the server said it (SQLSTATE first) so reports can quote it.
#[derive(Debug)]
pub struct Fail(pub String);

impl From<tokio_postgres::Error> for Fail {
    fn from(e: tokio_postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => Fail(format!("{} {}", db.code().code(), db.message())),
            None => Fail(e.to_string()),
        }
    }
}

impl From<String> for Fail {
    fn from(s: String) -> Self {
        Fail(s)
    }
}

pub struct Conn {
    pub client: Client,
    cache: RefCell<HashMap<String, Statement>>,
}

impl Conn {
    pub async fn open(url: &str) -> Result<Conn, Fail> {
        let mut config = Config::from_str(url).map_err(|e| Fail(e.to_string()))?;
        config.target_session_attrs(TargetSessionAttrs::ReadWrite);
        let (client, connection) = config.connect(NoTls).await?;
        tokio::spawn(async move {
            // A closed connection ends this task; errors surface on the client's next call.
            let _ = connection.await;
        });
        Ok(Conn { client, cache: RefCell::new(HashMap::new()) })
    }

    /// The statement for `sql` (schema substituted), prepared on first use on this connection.
    pub async fn stmt(&self, sql: &str) -> Result<Statement, Fail> {
        if let Some(s) = self.cache.borrow().get(sql) {
            return Ok(s.clone());
        }
        let prepared = self.client.prepare(&in_schema(sql)).await?;
        self.cache.borrow_mut().insert(sql.to_string(), prepared.clone());
        Ok(prepared)
    }
}
