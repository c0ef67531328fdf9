//! Delivery status notifications (RFC 3464, RFC 3461 §6): the
//! `multipart/report` a relay sends back to the reverse-path when it
//! cannot deliver a message (and, for `NOTIFY=SUCCESS`, when it delivers
//! one or hands it to a server that does not report), built with
//! `mailwire-mime`.

use mailwire::mime::build::{EmailAddress, MediaType, MessageBuilder, Options, Part};
use mailwire::mime::types::HeaderName;
use mailwire::smtp::types::{ForwardPath, Mailbox, Orcpt, XText};

/// What happened to one recipient (RFC 3464 §2.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Not delivered, and no more attempts will be made.
    Failed,
    /// Handed to a server that does not send notifications.
    Relayed,
    /// Delivered into the recipient's mailbox.
    Delivered,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Failed => "failed",
            Action::Relayed => "relayed",
            Action::Delivered => "delivered",
        }
    }
}

/// One recipient's part of the report.
#[derive(Debug, Clone)]
pub(crate) struct Recipient<'a> {
    /// The recipient as the envelope had it.
    pub(crate) to: &'a ForwardPath<'static>,
    /// Its `ORCPT=`, if the client gave one.
    pub(crate) orcpt: Option<&'a Orcpt<'static>>,
    pub(crate) action: Action,
    /// `5.1.1`, `2.0.0`…
    pub(crate) status: String,
    /// The server that answered, if one did.
    pub(crate) remote_mta: Option<&'a str>,
    /// The server's reply (`550 5.1.1 No such user`) or what went wrong.
    pub(crate) diagnostic: Option<String>,
}

/// What the report is about.
#[derive(Debug)]
pub(crate) struct Report<'a> {
    /// This server's name (`Reporting-MTA: dns; NAME`).
    pub(crate) reporting_mta: &'a str,
    /// The reverse-path of the message: the report goes there.
    pub(crate) to: &'a Mailbox<'static>,
    /// `ENVID=` of the message, if given.
    pub(crate) envid: Option<&'a XText<'static>>,
    /// When the message arrived (`Arrival-Date:`), RFC 5322 form.
    pub(crate) arrival: String,
    pub(crate) recipients: Vec<Recipient<'a>>,
    /// The message as queued.
    pub(crate) message: &'a [u8],
    /// `RET=FULL`: return the whole message rather than its header.
    pub(crate) full: bool,
}

/// The address in a DSN field: `rfc822; local@domain`, or `utf-8;` for a
/// non-ASCII one (RFC 6533 §3).
fn address_field(mailbox: Option<&Mailbox<'_>>, postmaster: &str) -> String {
    match mailbox {
        Some(m) if !m.is_ascii() => format!("utf-8; {m}"),
        Some(m) => format!("rfc822; {m}"),
        None => format!("rfc822; postmaster@{postmaster}"),
    }
}

fn forward_mailbox<'p>(path: &'p ForwardPath<'static>) -> Option<&'p Mailbox<'static>> {
    match path {
        ForwardPath::Mailbox(m) => Some(m),
        ForwardPath::Postmaster => None,
    }
}

/// The text a field may carry: printable, one line.
fn field_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The header section of `message`: up to and including the empty line.
fn header_section(message: &[u8]) -> &[u8] {
    let mut at = 0;
    for line in message.split_inclusive(|&b| b == b'\n') {
        at += line.len();
        if line == b"\r\n" || line == b"\n" {
            return message.get(..at).unwrap_or(message);
        }
    }
    message
}

impl Report<'_> {
    /// The `message/delivery-status` body (RFC 3464 §2.1): the
    /// per-message fields, then one block per recipient.
    fn status_fields(&self) -> String {
        let mut out = format!("Reporting-MTA: dns; {}\r\n", self.reporting_mta);
        if let Some(envid) = self.envid {
            // RFC 3461 §6.3 (a): the xtext decoded.
            let id = String::from_utf8_lossy(&envid.decode()).into_owned();
            out.push_str(&format!("Original-Envelope-Id: {}\r\n", field_text(&id)));
        }
        out.push_str(&format!("Arrival-Date: {}\r\n", self.arrival));
        for r in &self.recipients {
            out.push_str("\r\n");
            if let Some(orcpt) = r.orcpt {
                let original = String::from_utf8_lossy(&orcpt.address().decode()).into_owned();
                out.push_str(&format!(
                    "Original-Recipient: {}; {}\r\n",
                    orcpt.addr_type(),
                    field_text(&original)
                ));
            }
            out.push_str(&format!(
                "Final-Recipient: {}\r\n",
                address_field(forward_mailbox(r.to), self.reporting_mta)
            ));
            out.push_str(&format!("Action: {}\r\n", r.action.as_str()));
            out.push_str(&format!("Status: {}\r\n", r.status));
            if let Some(mta) = r.remote_mta {
                out.push_str(&format!("Remote-MTA: dns; {}\r\n", field_text(mta)));
            }
            if let Some(d) = &r.diagnostic {
                out.push_str(&format!("Diagnostic-Code: smtp; {}\r\n", field_text(d)));
            }
        }
        out
    }

    /// The explanation for people, the first part.
    fn explanation(&self) -> String {
        let mut text = format!("This is the mail system at {}.\n\n", self.reporting_mta);
        let failed: Vec<&Recipient<'_>> = self
            .recipients
            .iter()
            .filter(|r| r.action == Action::Failed)
            .collect();
        let relayed: Vec<&Recipient<'_>> = self
            .recipients
            .iter()
            .filter(|r| r.action == Action::Relayed)
            .collect();
        if !failed.is_empty() {
            text.push_str(
                "Your message could not be delivered to the recipients below;\n\
                 no further attempts will be made.\n\n",
            );
            for r in &failed {
                let why = r.diagnostic.as_deref().unwrap_or("delivery failed");
                text.push_str(&format!("{}: {}\n", r.to, field_text(why)));
            }
            text.push('\n');
        }
        let delivered: Vec<&Recipient<'_>> = self
            .recipients
            .iter()
            .filter(|r| r.action == Action::Delivered)
            .collect();
        if !delivered.is_empty() {
            text.push_str("Your message was delivered to the recipients below.\n\n");
            for r in &delivered {
                text.push_str(&format!("{}: delivered\n", r.to));
            }
            text.push('\n');
        }
        if !relayed.is_empty() {
            text.push_str(
                "Your message was handed to the next server for the recipients\n\
                 below; that server does not report delivery.\n\n",
            );
            for r in &relayed {
                text.push_str(&format!(
                    "{}: relayed to {}\n",
                    r.to,
                    r.remote_mta.unwrap_or("the next server")
                ));
            }
            text.push('\n');
        }
        text
    }

    /// The notification, ready to deliver with `MAIL FROM:<>`.
    pub(crate) fn build(&self) -> Result<Vec<u8>, String> {
        let err = |e: &dyn std::fmt::Display| e.to_string();
        let utf8 = !self.to.is_ascii()
            || self
                .recipients
                .iter()
                .any(|r| forward_mailbox(r.to).is_some_and(|m| !m.is_ascii()));
        let failure = self.recipients.iter().any(|r| r.action == Action::Failed);
        let subject = if failure {
            "Undelivered Mail Returned to Sender"
        } else if self
            .recipients
            .iter()
            .all(|r| r.action == Action::Delivered)
        {
            "Successful Mail Delivery Report"
        } else {
            "Delivery Status Notification (relayed)"
        };
        let from = EmailAddress::new(
            Some("Mail Delivery System"),
            &format!("MAILER-DAEMON@{}", self.reporting_mta),
        )
        .map_err(|e| err(&e))?;
        let to = EmailAddress::new(None, &self.to.to_string()).map_err(|e| err(&e))?;
        // RFC 6533 §3: the delivery-status of a message with UTF-8
        // addresses is message/global-delivery-status.
        let status_type = if utf8 {
            MediaType::new("message", "global-delivery-status")
        } else {
            MediaType::new("message", "delivery-status")
        }
        .map_err(|e| err(&e))?;
        let status = Part::bytes(status_type, self.status_fields().into_bytes());
        // RFC 3461 §6.2: the whole message for a failure with RET=FULL,
        // else the header section.
        // RFC 6533 §3: message/global-headers with the global status.
        let returned = if self.full && failure {
            Part::raw_message(self.message.to_vec())
        } else {
            let headers = if utf8 {
                MediaType::new("message", "global-headers")
            } else {
                MediaType::new("text", "rfc822-headers")
            }
            .map_err(|e| err(&e))?;
            Part::bytes(headers, header_section(self.message).to_vec())
        };
        let auto = HeaderName::new("Auto-Submitted").map_err(|e| err(&e))?;
        let report = MessageBuilder::new()
            .from(from)
            .to(to)
            .subject(subject)
            .header(auto, "auto-replied")
            .text(self.explanation())
            .attach_part(status)
            .attach_part(returned)
            .build()
            .map_err(|e| err(&e))?;
        // RFC 6522: the report's own type, in place of multipart/mixed.
        let report_type = MediaType::new("multipart", "report")
            .and_then(|m| m.param("report-type", "delivery-status"))
            .map_err(|e| err(&e))?;
        let options = Options::default().with_8bit(true).with_utf8_headers(utf8);
        report
            .media_type(report_type)
            .to_vec(&options)
            .map_err(|e| err(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailwire::mime::Message;

    fn mailbox(s: &str) -> Mailbox<'static> {
        Mailbox::parse(s).unwrap().into_owned()
    }

    #[test]
    fn failure_report_is_a_multipart_report() {
        let sender = mailbox("alice@example.org");
        let bob = ForwardPath::Mailbox(mailbox("bob@remote.example"));
        let carol = ForwardPath::Mailbox(mailbox("carol@remote.example"));
        let orcpt = Orcpt::new("rfc822", XText::new("carol+2Bx@remote.example").unwrap()).unwrap();
        let envid = XText::new("QQ+2B314").unwrap();
        let message = b"Received: from a\r\nSubject: hi\r\n\r\nbody\r\n";
        let report = Report {
            reporting_mta: "relay.example",
            to: &sender,
            envid: Some(&envid),
            arrival: "Thu, 1 Jan 2026 00:00:00 +0000".into(),
            recipients: vec![
                Recipient {
                    to: &bob,
                    orcpt: None,
                    action: Action::Failed,
                    status: "5.1.1".into(),
                    remote_mta: Some("next.example"),
                    diagnostic: Some("550 5.1.1 No such user".into()),
                },
                Recipient {
                    to: &carol,
                    orcpt: Some(&orcpt),
                    action: Action::Relayed,
                    status: "2.0.0".into(),
                    remote_mta: Some("next.example"),
                    diagnostic: None,
                },
            ],
            message,
            full: false,
        };
        let bytes = report.build().unwrap();
        let parsed = Message::parse(&bytes);
        let root = parsed.root();
        assert_eq!(root.content_type().essence(), "multipart/report");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("report-type=delivery-status"), "{text}");
        let kinds: Vec<String> = root
            .children()
            .map(|p| p.content_type().essence())
            .collect();
        assert_eq!(
            kinds,
            [
                "text/plain",
                "message/delivery-status",
                "text/rfc822-headers"
            ]
        );
        assert!(text.contains("Original-Envelope-Id: QQ+314\r\n"), "{text}");
        assert!(text.contains("Final-Recipient: rfc822; bob@remote.example\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; next.example\r\nDiagnostic-Code: smtp; 550 5.1.1 No such user\r\n"), "{text}");
        assert!(text.contains("Original-Recipient: rfc822; carol+x@remote.example\r\nFinal-Recipient: rfc822; carol@remote.example\r\nAction: relayed\r\n"), "{text}");
        assert!(text.contains("\r\nSubject: hi\r\n"));
        assert!(!text.contains("body\r\n"));
        assert!(text.contains("To: alice@example.org\r\n"));
        assert!(text.contains("Auto-Submitted: auto-replied\r\n"));
    }

    #[test]
    fn full_return_and_header_section() {
        assert_eq!(header_section(b"A: b\nC: d\n\nbody"), b"A: b\nC: d\n\n");
        assert_eq!(header_section(b"A: b\r\n"), b"A: b\r\n");
        let sender = mailbox("alice@example.org");
        let bob = ForwardPath::Mailbox(mailbox("bob@remote.example"));
        let message = b"Subject: hi\r\n\r\nthe body\r\n";
        let report = Report {
            reporting_mta: "relay.example",
            to: &sender,
            envid: None,
            arrival: "Thu, 1 Jan 2026 00:00:00 +0000".into(),
            recipients: vec![Recipient {
                to: &bob,
                orcpt: None,
                action: Action::Failed,
                status: "5.0.0".into(),
                remote_mta: None,
                diagnostic: Some("retries exhausted".into()),
            }],
            message,
            full: true,
        };
        let bytes = report.build().unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Original-Envelope-Id"));
        let parsed = Message::parse(&bytes);
        let last = parsed.root().children().last().unwrap();
        assert_eq!(last.content_type().essence(), "message/rfc822");
        assert!(text.contains("the body\r\n"));
    }
}
