//! Sans-IO client and server state machines.
//!
//! A [`Server`] and a [`Client`] have the same shape: bytes from the peer
//! go in with `handle_input` (any chunk size; nothing is re-parsed),
//! `poll_event` says what they mean, the application answers or queues
//! commands, and `poll_transmit` gives the bytes to write. There is no
//! socket, clock or runtime inside, so a test drives a client and a server
//! against each other in memory:
//!
//! ```
//! use mailwire_smtp::session::{Client, ClientConfig, ClientEvent, Server, ServerConfig, ServerEvent};
//! use mailwire_smtp::types::{Command, Domain, ForwardPath, Host, Mailbox, ReversePath};
//!
//! let mut server = Server::new(ServerConfig::new(Domain::new("mx.example.org")?));
//! let mut client = Client::new(ClientConfig::new(Host::parse("client.example")?));
//! server.greeting();
//! client.hello()?;
//! client.send(Command::Mail {
//!     from: ReversePath::Mailbox(Mailbox::parse("alice@example.org")?),
//!     params: Default::default(),
//!     source_route: false,
//! })?;
//! client.send(Command::Rcpt {
//!     to: ForwardPath::Mailbox(Mailbox::parse("bob@example.org")?),
//!     params: Default::default(),
//!     source_route: false,
//! })?;
//! client.send(Command::Data)?;
//! client.send_data(b"Subject: hi\r\n\r\n.dot\r\n")?;
//! client.end_data()?;
//! client.send(Command::Quit)?;
//!
//! let mut body = Vec::new();
//! let mut results = Vec::new();
//! for _ in 0..10 {
//!     while let Some(bytes) = server.poll_transmit() {
//!         client.handle_input(&bytes);
//!     }
//!     while let Some(bytes) = client.poll_transmit() {
//!         server.handle_input(&bytes);
//!     }
//!     while let Some(event) = server.poll_event() {
//!         match event {
//!             ServerEvent::DataChunk(bytes) => body.extend_from_slice(&bytes),
//!             ServerEvent::DataEnd { .. } | ServerEvent::Hello { .. } | ServerEvent::Mail { .. }
//!             | ServerEvent::Rcpt { .. } | ServerEvent::DataStart => server.accept()?,
//!             _ => {}
//!         }
//!     }
//!     while let Some(event) = client.poll_event() {
//!         if let ClientEvent::DataResult { reply, .. } = event {
//!             results.push(reply.code().get());
//!         }
//!     }
//! }
//! assert_eq!(body, b"Subject: hi\r\n\r\n.dot\r\n");
//! assert_eq!(results, [250]);
//! assert!(server.is_closed() && client.is_closed());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Both sides treat `STARTTLS` as an explicit event: the bytes received
//! after the `STARTTLS` command (server) or after the `220` reply (client)
//! are handed back as `leftover`, never processed, and the capabilities
//! are forgotten once the application reports the handshake done with
//! `tls_established`.

mod client;
mod server;

pub use client::{Client, ClientConfig, ClientError, ClientEvent};
pub use server::{Extensions, HelloKind, Server, ServerConfig, ServerError, ServerEvent};

/// [`Server::accept`] or [`Server::send`] was called with no decision
/// pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no decision is pending")]
pub struct NoDecision;
