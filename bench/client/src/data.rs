//! The data set, generated the same way on every endpoint: documents written in Convex's
//! 1024-row batches, one commit timestamp per batch (nanoseconds beyond 2^53); the first half
//! of the batches creates the documents, the second half writes a second revision of each
//! (prev_ts set), so previous-revision lookups find something. One index (by a random-looking
//! key) gets one row per revision: two timestamps per key, as Convex writes them.

pub const SCHEMA: &str = "convex_bench";
/// Rows per UNNEST statement, as Convex's INSERTS_PER_STATEMENT.
pub const BATCH: usize = 1024;
const T0: i64 = 1_800_000_000_000_000_000;
const TABLES: u64 = 8;
/// Written documents (workloads 4, 5, 7) take ids and timestamps from here on.
pub const WRITE_BASE: u64 = 1 << 32;
pub const LEASE_TS: i64 = 1_700_000_000_000_000_000;
pub const INDEX_ID: [u8; 16] = *b"bench_index_id_0";
pub const GLOBAL_KEYS: &[&str] = &["max_repeatable_ts", "tables_by_id", "index_worker_state"];

/// splitmix64: well-spread bytes from a counter, so ids do not sort in insertion order.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn bytes16(a: u64, b: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(16);
    v.extend_from_slice(&mix(a).to_be_bytes());
    v.extend_from_slice(&mix(b).to_be_bytes());
    v
}

/// Convex's internal ids are 16 bytes.
pub fn doc_id(n: u64) -> Vec<u8> {
    bytes16(n.wrapping_mul(2), n.wrapping_mul(2) + 1)
}

pub fn table_id(n: u64) -> Vec<u8> {
    bytes16(1 << 62 | (n % TABLES), 1 << 61 | (n % TABLES))
}

/// An index key: a tag, an 8-byte value and the document id (Convex appends the id).
pub fn key_prefix(n: u64) -> Vec<u8> {
    let mut v = vec![0x10];
    v.extend_from_slice(&mix(n ^ 0x5555).to_be_bytes());
    v.extend_from_slice(&doc_id(n));
    v
}

/// Stands in for sha256(key): 32 bytes determined by the key.
pub fn key_sha(n: u64) -> Vec<u8> {
    let mut v = bytes16(n ^ 0xaaaa_0000, n ^ 0xbbbb_0000);
    v.extend(bytes16(n ^ 0xcccc_0000, n ^ 0xdddd_0000));
    v
}

/// A JSON document of about `size` bytes.
pub fn json(n: u64, rev: u32, size: usize) -> Vec<u8> {
    let head = format!("{{\"_id\":\"{n:016x}\",\"rev\":{rev},\"body\":\"");
    let mut v = head.into_bytes();
    let fill = size.saturating_sub(v.len() + 2);
    v.extend((0..fill).map(|i| b'a' + (((n as usize) + i) % 26) as u8));
    v.extend_from_slice(b"\"}");
    v
}

/// The loaded data set: `batches` UNNEST batches of documents and as many of index rows.
#[derive(Clone, Copy)]
pub struct DataSet {
    pub batches: usize,
    pub doc_bytes: usize,
}

/// One batch of documents, as the six UNNEST arrays.
pub struct DocBatch {
    pub id: Vec<Vec<u8>>,
    pub ts: Vec<i64>,
    pub table_id: Vec<Vec<u8>>,
    pub json_value: Vec<Vec<u8>>,
    pub deleted: Vec<bool>,
    pub prev_ts: Vec<Option<i64>>,
}

/// One batch of index rows, as the eight UNNEST arrays.
pub struct IndexBatch {
    pub index_id: Vec<Vec<u8>>,
    pub ts: Vec<i64>,
    pub key_prefix: Vec<Vec<u8>>,
    pub key_suffix: Vec<Option<Vec<u8>>>,
    pub key_sha256: Vec<Vec<u8>>,
    pub deleted: Vec<bool>,
    pub table_id: Vec<Option<Vec<u8>>>,
    pub document_id: Vec<Option<Vec<u8>>>,
}

/// Documents `ns` at commit `ts` (with `prev_ts`), as one UNNEST batch.
pub fn doc_batch(ns: &[u64], ts: i64, prev_ts: Option<i64>, rev: u32, doc_bytes: usize) -> DocBatch {
    DocBatch {
        id: ns.iter().map(|&n| doc_id(n)).collect(),
        ts: ns.iter().map(|_| ts).collect(),
        table_id: ns.iter().map(|&n| table_id(n)).collect(),
        json_value: ns.iter().map(|&n| json(n, rev, doc_bytes)).collect(),
        deleted: ns.iter().map(|_| false).collect(),
        prev_ts: ns.iter().map(|_| prev_ts).collect(),
    }
}

/// The index rows of documents `ns` at commit `ts`.
pub fn index_batch(ns: &[u64], ts: i64) -> IndexBatch {
    IndexBatch {
        index_id: ns.iter().map(|_| INDEX_ID.to_vec()).collect(),
        ts: ns.iter().map(|_| ts).collect(),
        key_prefix: ns.iter().map(|&n| key_prefix(n)).collect(),
        key_suffix: ns.iter().map(|_| None).collect(),
        key_sha256: ns.iter().map(|&n| key_sha(n)).collect(),
        deleted: ns.iter().map(|_| false).collect(),
        table_id: ns.iter().map(|&n| Some(table_id(n))).collect(),
        document_id: ns.iter().map(|&n| Some(doc_id(n))).collect(),
    }
}

impl DataSet {
    /// Distinct documents (each has two revisions).
    pub fn ids(&self) -> u64 {
        (self.batches / 2 * BATCH) as u64
    }

    pub fn rows(&self) -> usize {
        self.batches * BATCH
    }

    pub fn batch_ts(k: usize) -> i64 {
        T0 + (k as i64 + 1) * 1_000_000
    }

    /// A read timestamp after every loaded commit.
    pub fn read_ts(&self) -> i64 {
        Self::batch_ts(self.batches)
    }

    /// Document ids written by batch `k`, their revision and previous revision's ts.
    pub fn batch(&self, k: usize) -> (Vec<u64>, u32, Option<i64>) {
        let half = self.batches / 2;
        let first = (k % half * BATCH) as u64;
        let ns = (first..first + BATCH as u64).collect();
        if k < half { (ns, 1, None) } else { (ns, 2, Some(Self::batch_ts(k - half))) }
    }

    /// The commit timestamps of document `n`'s two revisions.
    pub fn revision_ts(&self, n: u64) -> (i64, i64) {
        let k = n as usize / BATCH;
        (Self::batch_ts(k), Self::batch_ts(k + self.batches / 2))
    }
}

/// xorshift64*: the workloads' choices, reproducible per seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(mix(seed) | 1)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}
