//! Client and server mechanisms driven against each other in memory, every
//! line through the wire Base64, for every mechanism, with and without an
//! initial response, with the right and a wrong secret; and the same as a
//! property for arbitrary credentials.

use mailwire_sasl::{
    Client, ClientMechanism, Credentials, Failure, Limits, SaslError, Server, ServerMechanism,
    ServerStep, Step, wire,
};
use proptest::prelude::*;

/// How an exchange ended.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// The application accepted the credentials.
    Success(Credentials),
    /// The application refused them (PLAIN, LOGIN, CRAM-MD5: the protocol
    /// sends its failure reply at once).
    Refused,
    /// The server mechanism ended in a failure.
    Failed(Failure),
    /// The client could not go on and cancelled.
    Cancelled(SaslError),
}

const ERROR_JSON: &[u8] = br#"{"status":"invalid_token","scope":"mail"}"#;

fn through_wire(data: &[u8]) -> Vec<u8> {
    wire::decode(wire::encode(data).as_bytes()).unwrap()
}

/// Runs one exchange; `accept` plays the application's check.
fn run(
    client: ClientMechanism,
    server: ServerMechanism,
    initial_response: bool,
    accept: impl Fn(&Credentials) -> bool,
) -> Outcome {
    let oauth = matches!(
        server,
        ServerMechanism::XOAuth2 | ServerMechanism::OAuthBearer
    );
    let mut client = Client::new(client).unwrap();
    let mut server = Server::new(server, Limits::default()).unwrap();
    let initial = if initial_response {
        client.initial_response()
    } else {
        None
    };
    let initial =
        initial.map(|i| wire::decode_initial(wire::encode_initial(&i).as_bytes()).unwrap());
    let mut step = server.start(initial.as_deref());
    for _ in 0..8 {
        step = match step {
            ServerStep::Challenge(challenge) => match client.step(&through_wire(&challenge)) {
                Ok(Step::Respond(response) | Step::Failed { response, .. }) => {
                    server.step(&through_wire(&response))
                }
                Ok(other) => panic!("unknown step {other:?}"),
                Err(error) => {
                    assert_eq!(server.cancel(), ServerStep::Failure(Failure::Cancelled));
                    return Outcome::Cancelled(error);
                }
            },
            ServerStep::Verify(credentials) => {
                if accept(&credentials) {
                    assert!(server.is_ended());
                    return Outcome::Success(credentials);
                }
                if !oauth {
                    return Outcome::Refused;
                }
                server.reject_token(ERROR_JSON)
            }
            ServerStep::Failure(failure) => {
                assert!(server.is_ended());
                return Outcome::Failed(failure);
            }
            other => panic!("unknown step {other:?}"),
        };
    }
    panic!("the exchange did not end");
}

/// The application's check for a known secret.
fn checker(secret: &[u8]) -> impl Fn(&Credentials) -> bool + '_ {
    move |credentials| match credentials {
        Credentials::Password { password, .. } => password.expose() == secret,
        Credentials::CramMd5 { .. } => credentials.verify_cram_md5(secret),
        Credentials::Bearer { token, .. } => token.expose() == secret,
        _ => false,
    }
}

fn cram() -> ServerMechanism {
    ServerMechanism::CramMd5 {
        challenge: b"<12345.67890@mail.example.org>".to_vec(),
    }
}

fn cases() -> Vec<(ClientMechanism, ServerMechanism, &'static [u8])> {
    vec![
        (
            ClientMechanism::Plain {
                authzid: Some("admin".into()),
                authcid: "tim".into(),
                password: "pässword".into(),
            },
            ServerMechanism::Plain,
            "pässword".as_bytes(),
        ),
        (
            ClientMechanism::login("tim", "secret"),
            ServerMechanism::Login,
            b"secret",
        ),
        (
            ClientMechanism::cram_md5("tim", "tanstaaftanstaaf"),
            cram(),
            b"tanstaaftanstaaf",
        ),
        (
            ClientMechanism::xoauth2("tim@example.org", "ya29.token"),
            ServerMechanism::XOAuth2,
            b"ya29.token",
        ),
        (
            ClientMechanism::OAuthBearer {
                authzid: Some("tim@example.org".into()),
                host: Some("imap.example.org".into()),
                port: Some(993),
                token: "abc.def".into(),
            },
            ServerMechanism::OAuthBearer,
            b"abc.def",
        ),
    ]
}

#[test]
fn every_mechanism_succeeds() {
    for (client, server, secret) in cases() {
        for initial in [true, false] {
            let outcome = run(client.clone(), server.clone(), initial, checker(secret));
            let Outcome::Success(credentials) = outcome else {
                panic!(
                    "{} (initial response {initial}): {outcome:?}",
                    client.name()
                );
            };
            assert!(
                credentials.username().unwrap().starts_with("tim"),
                "{credentials:?}"
            );
        }
    }
}

#[test]
fn every_mechanism_fails_with_a_wrong_secret() {
    for (client, server, _) in cases() {
        for initial in [true, false] {
            let outcome = run(client.clone(), server.clone(), initial, checker(b"wrong"));
            let expected = match server {
                ServerMechanism::XOAuth2 | ServerMechanism::OAuthBearer => {
                    Outcome::Failed(Failure::TokenRejected)
                }
                _ => Outcome::Refused,
            };
            assert_eq!(outcome, expected, "{}", client.name());
        }
    }
}

#[test]
fn mismatched_mechanisms_fail_cleanly() {
    // A client of one mechanism against a server of another never panics
    // and never verifies.
    for (client, _, secret) in cases() {
        for (_, server, _) in cases() {
            if client.name() == server.name() {
                continue;
            }
            for initial in [true, false] {
                let outcome = run(client.clone(), server.clone(), initial, checker(secret));
                assert!(
                    !matches!(outcome, Outcome::Success(_)),
                    "{} against {}: {outcome:?}",
                    client.name(),
                    server.name()
                );
            }
        }
    }
}

#[test]
fn empty_cram_challenge_makes_the_client_cancel() {
    let mut client = Client::new(ClientMechanism::cram_md5("tim", "x")).unwrap();
    assert!(matches!(
        client.step(b""),
        Err(SaslError::MalformedChallenge(_))
    ));
}

/// Text with no NUL, between 1 and `max` characters.
fn safe(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>().prop_filter("no NUL", |c| *c != '\0'), 1..=max)
        .prop_map(|chars| chars.into_iter().collect())
}

/// Text of a key/value pair value: no control but HTAB, CR, LF.
fn kv_text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        any::<char>().prop_filter("no control", |c| {
            !c.is_ascii_control() || matches!(c, '\t' | '\r' | '\n')
        }),
        1..=max,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn token() -> impl Strategy<Value = String> {
    "[!-~]{1,80}"
}

fn arbitrary_case() -> impl Strategy<Value = (ClientMechanism, ServerMechanism, Vec<u8>)> {
    prop_oneof![
        (proptest::option::of(safe(60)), safe(60), safe(60)).prop_map(|(z, c, p)| {
            let secret = p.clone().into_bytes();
            (
                ClientMechanism::Plain {
                    authzid: z,
                    authcid: c,
                    password: p.into(),
                },
                ServerMechanism::Plain,
                secret,
            )
        }),
        (safe(60), proptest::collection::vec(1u8..=255, 1..100)).prop_map(|(u, p)| {
            (
                ClientMechanism::login(u, p.clone()),
                ServerMechanism::Login,
                p,
            )
        }),
        (
            kv_text(60).prop_filter("no CR/LF", |u| !u.contains(['\r', '\n'])),
            proptest::collection::vec(any::<u8>(), 0..100),
            "[!-=?-~]{1,40}"
        )
            .prop_map(|(u, s, c)| {
                (
                    ClientMechanism::cram_md5(u, s.clone()),
                    ServerMechanism::CramMd5 {
                        challenge: format!("<{c}>").into_bytes(),
                    },
                    s,
                )
            }),
        (kv_text(60), token()).prop_map(|(u, t)| {
            let secret = t.clone().into_bytes();
            (
                ClientMechanism::xoauth2(u, t),
                ServerMechanism::XOAuth2,
                secret,
            )
        }),
        (
            proptest::option::of(safe(40).prop_filter("no ^A", |s| !s.contains('\u{1}'))),
            proptest::option::of(kv_text(40)),
            proptest::option::of(any::<u16>()),
            token()
        )
            .prop_map(|(a, h, p, t)| {
                let secret = t.clone().into_bytes();
                (
                    ClientMechanism::OAuthBearer {
                        authzid: a,
                        host: h,
                        port: p,
                        token: t.into(),
                    },
                    ServerMechanism::OAuthBearer,
                    secret,
                )
            }),
    ]
}

/// What the server should hand over for the client's credentials.
fn expected(client: &ClientMechanism) -> Option<Credentials> {
    Some(match client.clone() {
        ClientMechanism::Plain {
            authzid,
            authcid,
            password,
        } => Credentials::Password {
            authzid: authzid.filter(|a| !a.is_empty()),
            authcid,
            password,
        },
        ClientMechanism::Login { username, password } => Credentials::Password {
            authzid: None,
            authcid: username,
            password,
        },
        ClientMechanism::XOAuth2 { user, token } => Credentials::Bearer {
            user: Some(user),
            host: None,
            port: None,
            token,
        },
        ClientMechanism::OAuthBearer {
            authzid,
            host,
            port,
            token,
        } => Credentials::Bearer {
            user: authzid,
            host,
            port,
            token,
        },
        // The digest depends on the challenge; checked by `verify_cram_md5`.
        _ => return None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// For arbitrary credentials the server hands over exactly what the
    /// client was given, and a wrong secret never passes.
    #[test]
    fn client_and_server_agree(
        (client, server, secret) in arbitrary_case(),
        initial in any::<bool>(),
    ) {
        let outcome = run(client.clone(), server.clone(), initial, checker(&secret));
        let Outcome::Success(credentials) = outcome else {
            return Err(TestCaseError::fail(format!("{outcome:?}")));
        };
        if let Some(expected) = expected(&client) {
            prop_assert_eq!(credentials, expected);
        } else {
            let ClientMechanism::CramMd5 { username, .. } = &client else { unreachable!() };
            prop_assert_eq!(credentials.username(), Some(username.as_str()));
        }

        let mut wrong = secret.clone();
        wrong.push(b'!');
        let outcome = run(client, server, initial, checker(&wrong));
        prop_assert!(matches!(outcome, Outcome::Refused | Outcome::Failed(Failure::TokenRejected)), "{:?}", outcome);
    }

    /// The wire Base64 round-trips, as a continuation line and as an
    /// initial response.
    #[test]
    fn wire_round_trip(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        prop_assert_eq!(wire::decode(wire::encode(&data).as_bytes()).unwrap(), data.clone());
        prop_assert_eq!(wire::decode_initial(wire::encode_initial(&data).as_bytes()).unwrap(), data);
    }

    /// Decoding never panics, and whatever decodes re-encodes to the same
    /// line (strictness: one encoding per value).
    #[test]
    fn wire_decode_is_canonical(line in proptest::collection::vec(
        prop_oneof![Just(b'='), Just(b'A'), Just(b'g'), Just(b'/'), any::<u8>()], 0..40)
    ) {
        match wire::decode(&line) {
            Ok(data) => prop_assert_eq!(wire::encode(&data).into_bytes(), line),
            Err(e) => prop_assert!(e.offset <= line.len()),
        }
    }
}
