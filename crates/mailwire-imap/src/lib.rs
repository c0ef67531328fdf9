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
//! | [`session`] | connection states and the client and server state machines |
//!
//! Server responses are read in two stages: a framer finds where each
//! response ends, literals included (a `{n}` counts only where the grammar
//! allows a string, so `* NO foo{12}` is text), against the [`Limits`];
//! then the grammar reads it into a [`types::Response`], borrowing from the
//! input. Real servers' mistakes are tolerated where they are harmless, and
//! anything the crate does not model is kept raw, never dropped:
//!
//! ```
//! use mailwire_imap::decode::ResponseDecoder;
//! use mailwire_imap::types::{Data, FetchItem, Response};
//! use mailwire_imap::Limits;
//!
//! let mut decoder = ResponseDecoder::new(Limits::default());
//! decoder.push(b"* 1 FETCH (UID 42 FLAGS (\\Seen) BODY[]<0> {3}\r\nhey)\r\nA1 OK done\r\n");
//! let frame = decoder.next_frame().unwrap()?;
//! let Response::Data(Data::Fetch { seq: 1, items }) = frame.decode()? else { panic!() };
//! assert_eq!(items[0], FetchItem::Uid(42));
//! assert!(matches!(&items[2], FetchItem::BodySection { data: Some(d), .. } if &d[..] == b"hey"));
//! # Ok::<(), mailwire_imap::decode::DecodeError>(())
//! ```
//!
//! Client commands are framed the same way, and each synchronizing
//! literal stops the decoder so that a server can send its continuation
//! request first; a client encodes commands into
//! [`encode::Fragment`]s that say where to wait:
//!
//! ```
//! use mailwire_imap::decode::{self, CommandDecoder, CommandEvent};
//! use mailwire_imap::types::{ClientMessage, CommandBody};
//! use mailwire_imap::Limits;
//!
//! let mut decoder = CommandDecoder::new(Limits::default());
//! decoder.push(b"A1 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From)])\r\nA2 LOGIN {3}\r\n");
//! let Some(Ok(CommandEvent::Frame(frame))) = decoder.next_frame() else { panic!() };
//! let ClientMessage::Command(cmd) = frame.decode()? else { panic!() };
//! assert!(matches!(cmd.body, CommandBody::Fetch { uid: true, .. }));
//! // A2's literal waits for the server's "+".
//! assert!(matches!(decoder.next_frame(), Some(Ok(CommandEvent::NeedsContinuation { literal_len: 3, .. }))));
//! # Ok::<(), mailwire_imap::decode::DecodeError>(())
//! ```
//!
//! This release reads and writes both sides: every command and every
//! response of IMAP4rev2, IMAP4rev1 and the common extensions. On top of
//! them, [`session::Client`] and [`session::Server`] are sans-IO state
//! machines with the shape of every mailwire session (`handle_input`,
//! `poll_event`, `poll_transmit`): connection states, tags, literal flow
//! (`+`, `LITERAL+`/`LITERAL-`, refusals with `[TOOBIG]`), `AUTHENTICATE`
//! with SASL-IR through `mailwire-sasl`, `LOGIN`, `IDLE`, `ENABLE`, and
//! `STARTTLS`/`COMPRESS` as transport events:
//!
//! ```
//! use mailwire_imap::session::{Client, ClientConfig, ClientEvent, Server, ServerConfig, ServerEvent, State};
//! use mailwire_imap::types::StatusKind;
//! use mailwire_sasl::{Client as Sasl, ClientMechanism};
//!
//! let mut server = Server::new(ServerConfig::default()); // advertises SASL-IR and AUTH=PLAIN
//! let mut client = Client::new(ClientConfig::default());
//! client.handle_input(&server.poll_transmit().unwrap()); // the greeting
//! client.authenticate(Sasl::new(ClientMechanism::plain("fred", "secret"))?)?;
//! let line = client.poll_transmit().unwrap();
//! assert_eq!(&line[..], b"A0001 AUTHENTICATE PLAIN AGZyZWQAc2VjcmV0\r\n");
//! server.handle_input(&line);
//! let Some(ServerEvent::Authenticate { credentials, .. }) = server.poll_event() else { panic!() };
//! assert!(credentials.verify_password(b"secret"));
//! server.complete(StatusKind::Ok, None, "welcome")?;
//! client.handle_input(&server.poll_transmit().unwrap());
//! assert_eq!(client.state(), State::Authenticated);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod decode;
pub mod encode;
mod frame;
mod limits;
#[cfg(feature = "mime")]
pub mod mime;
pub mod session;
pub mod types;

pub use limits::Limits;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
