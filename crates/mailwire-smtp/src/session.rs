//! Sans-IO client and server state machines.
//!
//! This room holds the session layer: command order, pipelining, DATA/BDAT
//! mode switching and STARTTLS as an explicit event. Its building block for a
//! client today is [`crate::decode::ReplyDecoder`], which turns the server's
//! byte stream into replies, chunk by chunk, and hands back unprocessed bytes
//! at a STARTTLS boundary ([`take_buffered`](crate::decode::ReplyDecoder::take_buffered)).
//! For a server it is [`crate::decode::CommandDecoder`], which stops at
//! `DATA`, `BDAT`, `AUTH` and `STARTTLS` so that message data, SASL
//! responses and bytes sent before a TLS handshake are never read as
//! commands.
