//! Plumbing shared by the example servers and clients: command-line flags,
//! a Maildir, and TLS configuration. Each example includes this module with
//! `#[path = "../support/mod.rs"] mod support;` and uses what it needs.

// Each example uses a part of this module, and its items are public to the
// example only.
#![allow(dead_code, unreachable_pub)]

pub mod args;
pub mod maildir;
pub mod tls;
