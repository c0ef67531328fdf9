//! Sans-IO IMAP4rev2 / IMAP4rev1 codec.
//!
//! Bytes in, values out; values in, bytes out. No socket, clock or runtime:
//! wire it to whatever I/O you use.
//!
//! ```
//! use mailwire_imap::decode::{self, Decoded};
//! use mailwire_imap::encode::Encode;
//! use mailwire_imap::session::State;
//! use mailwire_imap::types::{Capability, Mailbox, SequenceSet};
//! use mailwire_imap::Limits;
//!
//! // A server's greeting, as read from the socket.
//! let input = b"* OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ AUTH=PLAIN] Dovecot ready.\r\n";
//! let Decoded::Complete { value: greeting, consumed } = decode::greeting(input, &Limits::default())? else {
//!     panic!("a whole line was given");
//! };
//! assert_eq!(consumed, input.len());
//! assert!(greeting.capabilities().unwrap().contains(&Capability::Imap4Rev2));
//! assert_eq!(State::after_greeting(&greeting), State::NotAuthenticated);
//! // Encoding gives back the same bytes.
//! assert_eq!(greeting.to_bytes(), input);
//!
//! // Sequence sets are never expanded; mailbox names speak modified UTF-7.
//! let set: SequenceSet = "2,4:7,9,12:*".parse()?;
//! assert_eq!(set.count(15), 10);
//! assert_eq!(Mailbox::from_name("台北").as_bytes(), b"&U,BTFw-");
//! # Ok::<(), mailwire_imap::decode::DecodeError>(())
//! ```
//!
//! The crate has four rooms, like every protocol crate of mailwire:
//!
//! | module | holds |
//! |---|---|
//! | [`types`] | the data model: validated values such as [`types::Tag`], [`types::SequenceSet`], [`types::Mailbox`], [`types::Greeting`] |
//! | [`decode`] | bytes to values, stateless and streaming, with limits |
//! | [`encode`] | values to bytes, into a caller's buffer |
//! | [`session`] | connection states and the state machines |
//!
//! This release reads and writes tags, atoms, sequence sets, mailbox names
//! and the server greeting; the rest of the grammar builds on them.

pub mod decode;
pub mod encode;
mod frame;
mod limits;
pub mod session;
pub mod types;

pub use limits::Limits;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
