//! Tolerant decoder and strict encoder for Internet messages: RFC 5322
//! header sections, RFC 2047 encoded words, MIME structure (RFC 2045,
//! RFC 2046), transfer encodings and charsets.
//!
//! Bytes in, values out; values in, bytes out. No I/O: feed it whatever you
//! read, whole or in chunks.
//!
//! ```
//! use mailwire_mime::{Limits, decode, encode, types::HeaderName};
//!
//! // Decoding is tolerant: it never fails, and says what it worked around.
//! let input = b"Subject: =?ISO-8859-1?Q?Caf=E9?=\r\n au lait\nFrom: a@example.org\r\n\r\nHi!";
//! let headers = decode::headers(input, &Limits::default());
//! let subject = headers.get("subject").unwrap();
//! assert_eq!(subject.unstructured(), "Café au lait");
//! assert_eq!(subject.raw(), b"Subject: =?ISO-8859-1?Q?Caf=E9?=\r\n au lait\n");
//! assert_eq!(&input[headers.body_start()..], b"Hi!");
//! assert_eq!(headers.defects()[0].kind, mailwire_mime::types::DefectKind::BareLf);
//!
//! // Encoding is strict: only what the RFCs allow, folded at 78 columns.
//! let mut out = Vec::new();
//! encode::header_field(&HeaderName::new("Subject")?, "Hello Andréa", &mut out);
//! assert_eq!(out, b"Subject: Hello =?utf-8?q?Andr=C3=A9a?=\r\n");
//! # Ok::<(), mailwire_mime::types::ValueError>(())
//! ```
//!
//! Structured fields are read the same way, tolerantly:
//!
//! ```
//! use mailwire_mime::{Limits, decode};
//!
//! let input = b"From: Doe, John <jd@example.org>\r\n\
//!     Date: Thu, 13 Feb 69 23:32 -0330 (Newfoundland Time)\r\n\
//!     Content-Type: text/plain; name*0*=utf-8''caf%C3; name*1*=%A9.txt\r\n\r\n";
//! let limits = Limits::default();
//! let headers = decode::headers(input, &limits);
//! let (from, _defects) = headers.get("from").unwrap().addresses();
//! assert_eq!(from[0].mailboxes()[0].to_string(), "\"Doe, John\" <jd@example.org>");
//! let date = headers.get("date").unwrap().date_time().unwrap();
//! assert_eq!(date.to_rfc3339(), "1969-02-13T23:32:00-03:30");
//! let (ct, _) = headers.get("content-type").unwrap().content_type(&limits);
//! assert_eq!(ct.name(), Some("café.txt"));
//! ```
//!
//! Whole messages parse into a tree of parts that borrows from the input,
//! bodies decoded on access; the same engine takes chunks of any size and
//! reports events, holding only what it cannot decide yet:
//!
//! ```
//! use mailwire_mime::{Limits, Message};
//! use mailwire_mime::decode::{Event, MessageParser};
//!
//! let input = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
//!     Content-Type: text/plain; charset=utf-8\r\n\
//!     Content-Transfer-Encoding: base64\r\n\r\nY2Fmw6k=\r\n--b--\r\n";
//! let message = Message::parse(input);
//! let part = message.root().children().next().unwrap();
//! assert_eq!(part.text().unwrap(), "café");
//! assert_eq!(message.root().raw(), input); // byte for byte
//!
//! let mut parser = MessageParser::new(&Limits::default()).decode_bodies(true);
//! let mut body = Vec::new();
//! let mut sink = |event: Event<'_>| {
//!     if let Event::Body { data, .. } = event {
//!         body.extend_from_slice(data);
//!     }
//! };
//! for chunk in input.chunks(3) {
//!     parser.push(chunk, &mut sink);
//! }
//! parser.finish(&mut sink);
//! assert_eq!(body, "café".as_bytes());
//! ```
//!
//! The crate has the rooms every mailwire crate has:
//!
//! | module | holds |
//! |---|---|
//! | [`types`] | the data model: [`types::HeaderName`], [`types::Defect`], [`types::Address`], [`types::DateTime`], [`types::ContentType`]… |
//! | [`decode`] | bytes to values: header sections (whole or streamed), unfolding, RFC 2047, addresses, message ids, dates, content types and RFC 2231 parameters; the push parser for whole messages ([`decode::MessageParser`]); base64 and quoted-printable |
//! | [`Message`], [`Part`] | a whole message as a tree of parts borrowed from the input, bodies and text decoded on access |
//! | [`encode`] | values to bytes: header fields with RFC 2047 encoded words, folded |
//! | [`build`] | whole messages to bytes: [`build::MessageBuilder`] for the messages people send, [`build::Part`] trees, bodies encoded and boundaries checked, output to a buffer or a `Write`; [`build::Editor`] writes a parsed message back, regenerating only what was edited |
//!
//! Everything a message controls is bounded by [`Limits`].

pub mod build;
pub mod decode;
pub mod encode;
mod limits;
mod message;
pub mod types;

pub use limits::Limits;
pub use message::{Message, Part};

/// The examples of `README.md`, checked as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
