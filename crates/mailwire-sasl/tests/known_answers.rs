//! Known answers from the RFCs' own examples, replayed through the client
//! and the server mechanisms and the wire Base64.

use mailwire_sasl::{
    Client, ClientMechanism, Credentials, Failure, Limits, Mechanism, Secret, Server,
    ServerMechanism, ServerStep, Step, wire,
};

fn server(mechanism: ServerMechanism) -> Server {
    Server::new(mechanism, Limits::default()).unwrap()
}

fn verify(step: ServerStep) -> Credentials {
    match step {
        ServerStep::Verify(credentials) => credentials,
        other => panic!("expected credentials, got {other:?}"),
    }
}

fn respond(step: Result<Step, mailwire_sasl::SaslError>) -> Vec<u8> {
    match step {
        Ok(Step::Respond(response)) => response,
        other => panic!("expected a response, got {other:?}"),
    }
}

fn password(authzid: Option<&str>, authcid: &str, password: &str) -> Credentials {
    Credentials::Password {
        authzid: authzid.map(str::to_owned),
        authcid: authcid.to_owned(),
        password: Secret::from(password),
    }
}

/// RFC 4616 §4, first example: PLAIN without an initial response; the
/// server's empty challenge (`+ ""`) is answered by the 21-octet message.
#[test]
fn rfc4616_plain_after_empty_challenge() {
    let mut client = Client::new(ClientMechanism::plain("tim", "tanstaaftanstaaf")).unwrap();
    let mut server = server(ServerMechanism::Plain);
    let ServerStep::Challenge(challenge) = server.start(None) else {
        panic!()
    };
    assert_eq!(challenge, b"");
    let message = respond(client.step(&challenge));
    assert_eq!(message, b"\0tim\0tanstaaftanstaaf");
    assert_eq!(message.len(), 21);
    let credentials = verify(server.step(&message));
    assert_eq!(credentials, password(None, "tim", "tanstaaftanstaaf"));
    assert!(credentials.verify_password(b"tanstaaftanstaaf"));
    assert!(!credentials.verify_password(b"tanstaaftanstaaF"));
    assert!(!credentials.verify_cram_md5(b"tanstaaftanstaaf"));
}

/// RFC 4616 §4, second example: an authorization identity in the 20-octet
/// initial response, which the application then refuses.
#[test]
fn rfc4616_plain_with_authzid() {
    let mut client = Client::new(ClientMechanism::Plain {
        authzid: Some("Ursel".into()),
        authcid: "Kurt".into(),
        password: "xipj3plmq".into(),
    })
    .unwrap();
    let initial = client.initial_response().unwrap();
    assert_eq!(initial, b"Ursel\0Kurt\0xipj3plmq");
    assert_eq!(initial.len(), 20);
    let credentials = verify(server(ServerMechanism::Plain).start(Some(&initial)));
    assert_eq!(credentials, password(Some("Ursel"), "Kurt", "xipj3plmq"));
}

/// RFC 4954 §4.1: `AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=`, then the same without
/// the initial response (`334 ` and the response on its own line).
#[test]
fn rfc4954_plain() {
    const LINE: &str = "dGVzdAB0ZXN0ADEyMzQ=";
    let expected = password(Some("test"), "test", "1234");
    let mechanism = || ClientMechanism::Plain {
        authzid: Some("test".into()),
        authcid: "test".into(),
        password: "1234".into(),
    };

    let mut client = Client::new(mechanism()).unwrap();
    assert_eq!(
        wire::encode_initial(&client.initial_response().unwrap()),
        LINE
    );
    let initial = wire::decode_initial(LINE.as_bytes()).unwrap();
    assert_eq!(initial, b"test\0test\x001234");
    assert_eq!(
        verify(server(ServerMechanism::Plain).start(Some(&initial))),
        expected
    );

    let mut client = Client::new(mechanism()).unwrap();
    let mut server = server(ServerMechanism::Plain);
    let ServerStep::Challenge(challenge) = server.start(None) else {
        panic!()
    };
    // "334 " with nothing after the space.
    assert_eq!(wire::encode(&challenge), "");
    let response = respond(client.step(&wire::decode(b"").unwrap()));
    assert_eq!(wire::encode(&response), LINE);
    assert_eq!(
        verify(server.step(&wire::decode(LINE.as_bytes()).unwrap())),
        expected
    );
}

/// RFC 4954 §4.1's CRAM-MD5 exchange: the challenge and the response as
/// sent. The secret is not given, so only the parse is checked.
#[test]
fn rfc4954_cram_md5() {
    let challenge =
        wire::decode(b"PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVkdT4=").unwrap();
    assert_eq!(
        challenge,
        b"<4192942341.12828472@sourcefour.andrew.cmu.edu>"
    );
    let mut server = server(ServerMechanism::CramMd5 {
        challenge: challenge.clone(),
    });
    assert_eq!(server.start(None), ServerStep::Challenge(challenge.clone()));
    let response = wire::decode(b"cmpzMyBlYzNhNTlmZWQzOTVhYmExZWM2MzY3YzRmNGI0MWFjMA==").unwrap();
    assert_eq!(response, b"rjs3 ec3a59fed395aba1ec6367c4f4b41ac0");
    let credentials = verify(server.step(&response));
    let Credentials::CramMd5 {
        username,
        digest,
        challenge: echoed,
    } = &credentials
    else {
        panic!()
    };
    assert_eq!(username, "rjs3");
    assert_eq!(digest[..4], [0xec, 0x3a, 0x59, 0xfe]);
    assert_eq!(echoed, &challenge);
    assert!(!credentials.verify_cram_md5(b"not the secret"));
    assert!(!credentials.verify_password(b""));
}

/// RFC 4954 §4.1 and RFC 4959 §4: `AUTH EXTERNAL =`, an empty initial
/// response.
#[test]
fn empty_initial_response() {
    assert_eq!(wire::decode_initial(b"=").unwrap(), b"");
    assert_eq!(wire::encode_initial(b""), "=");
    // PLAIN cannot be empty.
    assert!(matches!(
        server(ServerMechanism::Plain).start(Some(b"")),
        ServerStep::Failure(Failure::Malformed { offset: 0, .. })
    ));
}

/// RFC 5034 §6 (and RFC 4959 §4, the same bytes): AUTH PLAIN with and
/// without the initial response (`+ ` and the response line).
#[test]
fn rfc5034_plain() {
    const LINE: &[u8] = b"dGVzdAB0ZXN0AHRlc3Q=";
    let expected = password(Some("test"), "test", "test");
    let initial = wire::decode_initial(LINE).unwrap();
    assert_eq!(initial, b"test\0test\0test");
    assert_eq!(
        verify(server(ServerMechanism::Plain).start(Some(&initial))),
        expected
    );

    let mut server = server(ServerMechanism::Plain);
    assert_eq!(server.start(None), ServerStep::Challenge(Vec::new()));
    assert_eq!(verify(server.step(&wire::decode(LINE).unwrap())), expected);

    let mut client = Client::new(ClientMechanism::Plain {
        authzid: Some("test".into()),
        authcid: "test".into(),
        password: "test".into(),
    })
    .unwrap();
    assert_eq!(
        wire::encode_initial(&client.initial_response().unwrap()).as_bytes(),
        LINE
    );
}

/// RFC 2195 §2's example, on the wire and decoded.
#[test]
fn rfc2195_cram_md5() {
    const CHALLENGE: &[u8] = b"<1896.697170952@postoffice.reston.mci.net>";
    let mut client = Client::new(ClientMechanism::cram_md5("tim", "tanstaaftanstaaf")).unwrap();
    let mut server = server(ServerMechanism::CramMd5 {
        challenge: CHALLENGE.to_vec(),
    });
    assert_eq!(client.initial_response(), None);
    let ServerStep::Challenge(challenge) = server.start(None) else {
        panic!()
    };
    assert_eq!(
        wire::encode(&challenge),
        "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"
    );
    let response = respond(client.step(&challenge));
    assert_eq!(response, b"tim b913a602c7eda7a495b4e6e7334d3890");
    assert_eq!(
        wire::encode(&response),
        "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"
    );
    let credentials = verify(server.step(&response));
    assert_eq!(credentials.username(), Some("tim"));
    assert!(credentials.verify_cram_md5(b"tanstaaftanstaaf"));
    assert!(!credentials.verify_cram_md5(b"tanstaaftanstaa"));
    assert!(client.is_finished());
    assert!(client.step(b"").is_err());
}

const RFC7628_INITIAL: &str = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
const RFC7628_TOKEN: &str = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";

fn rfc7628_client(port: u16) -> Client {
    Client::new(ClientMechanism::OAuthBearer {
        authzid: Some("user@example.com".into()),
        host: Some("server.example.com".into()),
        port: Some(port),
        token: RFC7628_TOKEN.into(),
    })
    .unwrap()
}

fn rfc7628_credentials(port: u16) -> Credentials {
    Credentials::Bearer {
        user: Some("user@example.com".into()),
        host: Some("server.example.com".into()),
        port: Some(port),
        token: RFC7628_TOKEN.into(),
    }
}

/// RFC 7628 §4.1: a successful OAUTHBEARER exchange over IMAP with SASL-IR.
#[test]
fn rfc7628_success() {
    let mut client = rfc7628_client(143);
    let initial = client.initial_response().unwrap();
    assert_eq!(
        initial,
        b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"
    );
    assert_eq!(wire::encode_initial(&initial), RFC7628_INITIAL);
    let decoded = wire::decode_initial(RFC7628_INITIAL.as_bytes()).unwrap();
    let credentials = verify(server(ServerMechanism::OAuthBearer).start(Some(&decoded)));
    assert_eq!(credentials, rfc7628_credentials(143));
    assert_eq!(credentials.username(), Some("user@example.com"));
}

/// RFC 7628 §4.3: the token is refused; the server's JSON error challenge
/// is answered by `AQ==` (a single `^A`) and the exchange fails.
#[test]
fn rfc7628_failure() {
    const ERROR: &str = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=";
    let json = wire::decode(ERROR.as_bytes()).unwrap();
    assert_eq!(
        json,
        br#"{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}"#
    );

    let mut client = rfc7628_client(143);
    let mut server = server(ServerMechanism::OAuthBearer);
    let initial = client.initial_response().unwrap();
    assert_eq!(
        verify(server.start(Some(&initial))),
        rfc7628_credentials(143)
    );
    let ServerStep::Challenge(challenge) = server.reject_token(&json) else {
        panic!()
    };
    assert_eq!(wire::encode(&challenge), ERROR);
    let Ok(Step::Failed { response, error }) = client.step(&challenge) else {
        panic!()
    };
    assert_eq!(error, json);
    assert_eq!(wire::encode(&response), "AQ==");
    assert!(client.is_finished());
    assert_eq!(
        server.step(&response),
        ServerStep::Failure(Failure::TokenRejected)
    );
    assert!(server.is_ended());
}

/// RFC 7628 §4.4: the same credentials over SMTP submission (port 587).
#[test]
fn rfc7628_smtp_initial_response() {
    let mut client = rfc7628_client(587);
    assert_eq!(
        wire::encode_initial(&client.initial_response().unwrap()),
        "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9NTg3AWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB"
    );
}

/// Google's XOAUTH2 example: `user=...^Aauth=Bearer ...^A^A`, and the
/// error challenge answered by an empty response.
#[test]
fn xoauth2_example() {
    const INITIAL: &str = "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==";
    const TOKEN: &str = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg";
    let mut client = Client::new(ClientMechanism::xoauth2("someuser@example.com", TOKEN)).unwrap();
    let initial = client.initial_response().unwrap();
    assert_eq!(
        initial,
        b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01"
    );
    assert_eq!(wire::encode_initial(&initial), INITIAL);

    let mut server = server(ServerMechanism::XOAuth2);
    let credentials =
        verify(server.start(Some(&wire::decode_initial(INITIAL.as_bytes()).unwrap())));
    assert_eq!(
        credentials,
        Credentials::Bearer {
            user: Some("someuser@example.com".into()),
            host: None,
            port: None,
            token: TOKEN.into(),
        }
    );
    let json = br#"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#;
    let ServerStep::Challenge(challenge) = server.reject_token(json) else {
        panic!()
    };
    let Ok(Step::Failed { response, error }) = client.step(&challenge) else {
        panic!()
    };
    assert_eq!(error, json);
    assert_eq!(response, b"");
    assert_eq!(
        server.step(&response),
        ServerStep::Failure(Failure::TokenRejected)
    );
}

/// draft-murchison-sasl-login: `Username:` and `Password:` prompts, each
/// Base64 on the wire (`VXNlcm5hbWU6`, `UGFzc3dvcmQ6`).
#[test]
fn login_prompts() {
    let mut client = Client::new(ClientMechanism::login("tim", "tanstaaftanstaaf")).unwrap();
    let mut server = server(ServerMechanism::Login);
    let ServerStep::Challenge(prompt) = server.start(None) else {
        panic!()
    };
    assert_eq!(wire::encode(&prompt), "VXNlcm5hbWU6");
    let user = respond(client.step(&prompt));
    assert_eq!(wire::encode(&user), "dGlt");
    let ServerStep::Challenge(prompt) = server.step(&user) else {
        panic!()
    };
    assert_eq!(wire::encode(&prompt), "UGFzc3dvcmQ6");
    let pass = respond(client.step(&prompt));
    assert_eq!(
        verify(server.step(&pass)),
        password(None, "tim", "tanstaaftanstaaf")
    );

    // A user name sent as the initial response skips the first prompt.
    let mut server = self::server(ServerMechanism::Login);
    assert_eq!(
        server.start(Some(b"tim")),
        ServerStep::Challenge(b"Password:".to_vec())
    );
    assert_eq!(verify(server.step(b"pw")), password(None, "tim", "pw"));
}

#[test]
fn mechanism_names() {
    for (name, client, server) in [
        (
            "PLAIN",
            ClientMechanism::plain("a", "b"),
            ServerMechanism::Plain,
        ),
        (
            "LOGIN",
            ClientMechanism::login("a", "b"),
            ServerMechanism::Login,
        ),
        (
            "CRAM-MD5",
            ClientMechanism::cram_md5("a", "b"),
            ServerMechanism::CramMd5 {
                challenge: b"<1@h>".to_vec(),
            },
        ),
        (
            "XOAUTH2",
            ClientMechanism::xoauth2("a", "b"),
            ServerMechanism::XOAuth2,
        ),
        (
            "OAUTHBEARER",
            ClientMechanism::oauthbearer("a", "b"),
            ServerMechanism::OAuthBearer,
        ),
    ] {
        let mechanism: Mechanism = name.to_lowercase().parse().unwrap();
        assert_eq!(mechanism.as_str(), name);
        assert_eq!(client.name(), mechanism);
        assert_eq!(server.name(), mechanism);
        assert_eq!(
            ServerMechanism::from_name(mechanism, || b"<1@h>".to_vec()),
            Some(server)
        );
    }
    assert_eq!(
        ServerMechanism::from_name("SCRAM-SHA-1".parse().unwrap(), Vec::new),
        None
    );
}
