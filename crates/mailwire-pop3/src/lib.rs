//! Sans-IO POP3 codec.
//!
//! Bytes in, values out; values in, bytes out. No socket, clock or runtime:
//! wire it to whatever I/O you use.
//!
//! ```
//! use mailwire_pop3::decode::{self, Decoded};
//! use mailwire_pop3::encode::Encode;
//! use mailwire_pop3::session::State;
//! use mailwire_pop3::types::Command;
//! use mailwire_pop3::Limits;
//!
//! // A client's command, as read from the socket (keywords are case-insensitive).
//! let input = b"apop mrose c4c9334bac560ecc979e58001b3e22fb\r\n";
//! let Decoded::Complete { value: cmd, consumed } = decode::command(input, &Limits::default())? else {
//!     panic!("a whole command was given");
//! };
//! assert_eq!(consumed, input.len());
//! let Command::Apop { name, digest } = &cmd else { panic!("an APOP command") };
//! assert_eq!(name.as_bytes(), b"mrose");
//! assert_eq!(digest.as_bytes()[..2], [0xc4, 0xc9]);
//!
//! // The command is valid before the client has logged in.
//! assert!(State::Authorization.allows(&cmd));
//!
//! // Encoding writes the keyword in uppercase.
//! assert_eq!(cmd.to_bytes(), b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
//! # Ok::<(), mailwire_pop3::decode::DecodeError>(())
//! ```
//!
//! Server responses are decoded in the context of the command sent, since
//! POP3's syntax does not say whether a `+OK` starts a multi-line response:
//!
//! ```
//! use mailwire_pop3::decode::{self, Expect};
//! use mailwire_pop3::types::{Body, Reply};
//! use mailwire_pop3::Limits;
//!
//! let input = b"+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n";
//! let (reply, _) = decode::response(input, Expect::Scan, &Limits::default())?
//!     .complete()
//!     .expect("the whole listing is there");
//! let Reply::Multi(listing) = reply else { panic!("a multi-line response") };
//! let Body::Scan(sizes) = listing.body() else { panic!("a scan listing") };
//! assert_eq!(sizes[1].size, 200);
//! # Ok::<(), mailwire_pop3::decode::DecodeError>(())
//! ```
//!
//! The crate has four rooms, like every protocol crate of mailwire:
//!
//! | module | holds |
//! |---|---|
//! | [`types`] | the data model: validated values such as [`types::Command`] and [`types::Response`] |
//! | [`decode`] | bytes to values, stateless and streaming, with limits |
//! | [`encode`] | values to bytes, into a caller's buffer |
//! | [`session`] | client and server sessions: states, pipelining, `STLS`, `AUTH`, deletions applied at `QUIT` |

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
