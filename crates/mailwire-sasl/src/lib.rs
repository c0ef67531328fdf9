//! Sans-IO SASL mechanisms for the mail protocols: PLAIN, LOGIN, CRAM-MD5,
//! XOAUTH2 and OAUTHBEARER, client and server side, written once for SMTP
//! (RFC 4954), POP3 (RFC 5034) and IMAP (RFC 3501, RFC 4959).
//!
//! Raw octets in, raw octets out: the protocol crate reads and writes the
//! lines and Base64 ([`wire`]); the mechanisms here say what to send next.
//!
//! ```
//! use mailwire_sasl::{wire, Client, ClientMechanism, Limits, Server, ServerMechanism, ServerStep, Step};
//!
//! // The client speaks first: SMTP sends `AUTH PLAIN <initial response>`.
//! let mut client = Client::new(ClientMechanism::plain("test", "1234"))?;
//! let initial = client.initial_response().expect("PLAIN has an initial response");
//! assert_eq!(wire::encode_initial(&initial), "AHRlc3QAMTIzNA==");
//!
//! // The server decodes the argument and hands the credentials over.
//! let mut server = Server::new(ServerMechanism::Plain, Limits::default())?;
//! let ServerStep::Verify(credentials) = server.start(Some(&wire::decode_initial(b"AHRlc3QAMTIzNA==")?)) else {
//!     panic!("PLAIN completes with its initial response");
//! };
//! assert_eq!(credentials.username(), Some("test"));
//! assert!(credentials.verify_password(b"1234"));
//!
//! // CRAM-MD5: the server speaks first.
//! let mut client = Client::new(ClientMechanism::cram_md5("tim", "tanstaaftanstaaf"))?;
//! let challenge = b"<1896.697170952@postoffice.reston.mci.net>".to_vec();
//! let mut server = Server::new(ServerMechanism::CramMd5 { challenge }, Limits::default())?;
//! assert_eq!(client.initial_response(), None);
//! let ServerStep::Challenge(challenge) = server.start(None) else { panic!() };
//! let Step::Respond(response) = client.step(&challenge)? else { panic!() };
//! assert_eq!(response, b"tim b913a602c7eda7a495b4e6e7334d3890");
//! let ServerStep::Verify(credentials) = server.step(&response) else { panic!() };
//! assert!(credentials.verify_cram_md5(b"tanstaaftanstaaf"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! | module | holds |
//! |---|---|
//! | [`types`] | validated values: [`Mechanism`] names and [`Secret`]s whose `Debug` redacts |
//! | [`client`] | [`Client`]: credentials in, initial response and answers to challenges out |
//! | [`server`] | [`Server`]: responses in, challenges and [`Credentials`] to check out, with [`Limits`] |
//! | [`wire`] | strict Base64 for challenge and response lines, `=` for an empty initial response |
//!
//! The cancel line (`*`) is read by the protocol crate, which then calls
//! [`Server::cancel`]; a client cancels when [`Client::step`] returns an
//! error.

pub mod client;
mod limits;
pub mod server;
pub mod types;
pub mod wire;

pub use client::{Client, ClientMechanism, SaslError, Step};
pub use limits::Limits;
pub use server::{Credentials, Failure, MalformedKind, Server, ServerMechanism, ServerStep};
pub use types::{Mechanism, Secret, ValueError};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
