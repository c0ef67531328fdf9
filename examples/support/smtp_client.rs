//! What the SMTP clients among the examples share (`smtp-send`, the
//! `mailserver` relay): a reply on one line, and the password mechanism
//! to use with a server.

use mailwire::sasl::ClientMechanism;
use mailwire::smtp::types::{Capabilities, Reply};

/// `550 5.1.1 No such user`: code, enhanced code, and the text of every
/// line, on one line.
pub fn show(reply: &Reply<'_>) -> String {
    let mut out = reply.code().to_string();
    if let Some(esc) = reply.enhanced() {
        out.push(' ');
        out.push_str(&esc.to_string());
    }
    let text: Vec<String> = reply
        .messages()
        .map(|t| String::from_utf8_lossy(t.as_bytes()).into_owned())
        .collect();
    let text = text.join(" ");
    if !text.is_empty() {
        out.push(' ');
        out.push_str(&text);
    }
    out
}

/// `AUTH PLAIN`, or `LOGIN` when only that is offered, with these
/// credentials; an error when the server offers neither.
pub fn password_mechanism(
    caps: &Capabilities<'_>,
    user: &str,
    pass: &str,
) -> Result<ClientMechanism, &'static str> {
    let offered: Vec<String> = caps
        .auth_mechanisms()
        .map(|m| m.as_str().to_ascii_uppercase())
        .collect();
    if offered.iter().any(|m| m == "PLAIN") {
        Ok(ClientMechanism::plain(user.to_owned(), pass.to_owned()))
    } else if offered.iter().any(|m| m == "LOGIN") {
        Ok(ClientMechanism::login(user.to_owned(), pass.to_owned()))
    } else {
        Err("the server offers neither AUTH PLAIN nor AUTH LOGIN")
    }
}
