//! Sans-IO SMTP and LMTP codec.
//!
//! Bytes in, values out; values in, bytes out. No socket, clock or runtime:
//! wire it to whatever I/O you use.
//!
//! ```
//! use mailwire_smtp::decode::{self, Decoded};
//! use mailwire_smtp::encode::Encode;
//! use mailwire_smtp::Limits;
//!
//! // A server's EHLO reply, as read from the socket.
//! let input = b"250-mx.example.org\r\n250-PIPELINING\r\n250 SIZE 35882577\r\n";
//! let Decoded::Complete { value: reply, consumed } = decode::reply(input, &Limits::default())? else {
//!     panic!("a whole reply was given");
//! };
//! assert_eq!(consumed, input.len());
//! assert_eq!(reply.code().get(), 250);
//! assert_eq!(reply.lines().nth(1).unwrap().as_bytes(), b"PIPELINING");
//!
//! // Encoding gives back the same bytes.
//! assert_eq!(reply.to_bytes(), input);
//! # Ok::<(), mailwire_smtp::decode::DecodeError>(())
//! ```
//!
//! Commands go the other way, client to server:
//!
//! ```
//! use mailwire_smtp::decode::{self, CommandDecoder};
//! use mailwire_smtp::encode::Encode;
//! use mailwire_smtp::types::{Command, Stop};
//! use mailwire_smtp::Limits;
//!
//! let mut decoder = CommandDecoder::new(Limits::default());
//! decoder.push(b"MAIL FROM:<alice@example.org> SIZE=1000\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n");
//! let Some(Ok(Command::Mail { params, .. })) = decoder.next_command() else { panic!() };
//! assert_eq!(params.size, Some(1000));
//! assert!(matches!(decoder.next_command(), Some(Ok(Command::Rcpt { .. }))));
//! assert_eq!(decoder.next_command(), Some(Ok(Command::Data)));
//! // The message follows: the decoder stops until the caller resumes it.
//! assert_eq!(decoder.stopped(), Some(Stop::Data));
//!
//! let (cmd, _) = decode::command(b"quit\r\n", &Limits::default())?.complete().unwrap();
//! assert_eq!(cmd.to_bytes(), b"QUIT\r\n");
//! # Ok::<(), mailwire_smtp::decode::DecodeError>(())
//! ```
//!
//! The crate has four rooms, like every protocol crate of mailwire:
//!
//! | module | holds |
//! |---|---|
//! | [`types`] | the data model: validated values such as [`types::Reply`] and [`types::Command`] |
//! | [`decode`] | bytes to values, stateless and streaming, with limits |
//! | [`encode`] | values to bytes, into a caller's buffer |
//! | [`session`] | client and server state machines: command order, pipelining, DATA/BDAT, STARTTLS, AUTH, LMTP |

pub mod decode;
pub mod encode;
mod frame;
mod limits;
pub mod session;
pub mod types;
pub mod xtext;

pub use limits::{BareLineEnd, DataPolicy, Limits, NulByte};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
