//! Plumbing shared by the example servers and clients: command-line flags,
//! a Maildir, TLS configuration, and the connection handlers the servers
//! share. Each example includes this module with
//! `#[path = "../support/mod.rs"] mod support;` and uses what it needs.

// Each example uses a part of this module, and its items are public to the
// example only.
#![allow(dead_code, unreachable_pub)]

pub mod args;
pub mod client;
pub mod maildir;
pub mod tls;

// The servers' pieces, built only into the examples that have the
// protocols' crates.
#[cfg(all(feature = "imap", feature = "mime", feature = "sasl"))]
pub mod imap_conn;
pub mod imap_store;
#[cfg(all(feature = "pop3", feature = "sasl"))]
pub mod pop3_conn;
#[cfg(feature = "pop3")]
pub mod pop3_store;
#[cfg(feature = "smtp")]
pub mod received;
pub mod serve;
pub mod shutdown;
#[cfg(all(feature = "smtp", feature = "sasl"))]
pub mod smtp_client;
#[cfg(all(feature = "smtp", feature = "sasl"))]
pub mod smtp_conn;
pub mod stream;
