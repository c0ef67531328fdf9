#![no_main]
//! SASL server mechanisms fed arbitrary responses: no panic, the limits on
//! response length and count hold, an ended exchange stays ended, and every
//! set of credentials handed out is what a client holding them would send
//! (PLAIN: byte for byte). The wire Base64 round-trips on the same input.
//!
//! Input layout: the first byte picks the mechanism (low three bits),
//! whether an initial response is given (bit 3) and narrow limits (bit 4).
//! Then come operations, each a control byte (low two bits: 0 step, 1
//! cancel, 2 reject the token, 3 start again; the other six bits a length)
//! and, for a step, that many bytes of response.

use libfuzzer_sys::fuzz_target;
use mailwire_sasl::{
    Client, ClientMechanism, Credentials, Failure, Limits, Server, ServerMechanism, ServerStep,
    Step, wire,
};

const CRAM_CHALLENGE: &[u8] = b"<1896.697170952@postoffice.reston.mci.net>";
const ERROR_JSON: &[u8] = br#"{"status":"invalid_token"}"#;

fn mechanism(selector: u8) -> ServerMechanism {
    match selector % 5 {
        0 => ServerMechanism::Plain,
        1 => ServerMechanism::Login,
        2 => ServerMechanism::CramMd5 {
            challenge: CRAM_CHALLENGE.to_vec(),
        },
        3 => ServerMechanism::XOAuth2,
        _ => ServerMechanism::OAuthBearer,
    }
}

/// Checks the credentials against the limits and, by making a client of
/// them and running it against a fresh server, against the grammar.
fn check_credentials(
    mech: &ServerMechanism,
    credentials: &Credentials,
    response: &[u8],
    limits: &Limits,
) {
    let client = match (mech, credentials.clone()) {
        (
            ServerMechanism::Plain | ServerMechanism::Login,
            Credentials::Password {
                authzid,
                authcid,
                password,
            },
        ) => {
            assert!(!authcid.is_empty() && authcid.len() <= limits.field);
            assert!(!password.is_empty() && password.len() <= limits.field);
            assert!(authzid.as_ref().is_none_or(|a| a.len() <= limits.field));
            if matches!(mech, ServerMechanism::Login) {
                assert!(authzid.is_none());
                assert_eq!(password.expose(), response);
                return;
            }
            ClientMechanism::Plain {
                authzid,
                authcid,
                password,
            }
        }
        (
            ServerMechanism::CramMd5 { .. },
            Credentials::CramMd5 {
                username,
                digest,
                challenge,
            },
        ) => {
            assert_eq!(challenge, CRAM_CHALLENGE);
            assert!(!username.is_empty() && username.len() <= limits.field);
            // The response is the user name, a space, the digest in hex.
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            let rebuilt = format!("{username} {hex}");
            assert!(rebuilt.as_bytes().eq_ignore_ascii_case(response));
            return;
        }
        (ServerMechanism::XOAuth2, Credentials::Bearer { user, token, .. }) => {
            ClientMechanism::XOAuth2 {
                user: user.expect("XOAUTH2 always names the user"),
                token,
            }
        }
        (
            ServerMechanism::OAuthBearer,
            Credentials::Bearer {
                user,
                host,
                port,
                token,
            },
        ) => ClientMechanism::OAuthBearer {
            authzid: user,
            host,
            port,
            token,
        },
        (mech, credentials) => panic!("{mech:?} gave {credentials:?}"),
    };
    let mut client = Client::new(client).expect("credentials a server accepts are valid");
    let message = client.initial_response().expect("a one-message mechanism");
    if matches!(mech, ServerMechanism::Plain) {
        assert_eq!(
            message, response,
            "PLAIN credentials re-encode to the message"
        );
    }
    let mut big = *limits;
    big.response = usize::MAX;
    big.field = usize::MAX;
    let mut again = Server::new(mech.clone(), big).unwrap();
    assert_eq!(
        again.start(Some(&message)),
        ServerStep::Verify(credentials.clone())
    );
    // An OAuth client answers an error challenge with its dummy response.
    if !matches!(mech, ServerMechanism::Plain) {
        assert!(matches!(client.step(ERROR_JSON), Ok(Step::Failed { .. })));
    }
}

/// Takes up to `len` bytes off the front of `rest`.
fn take(rest: &mut &[u8], len: usize) -> Vec<u8> {
    let (head, tail) = rest.split_at(len.min(rest.len()));
    *rest = tail;
    head.to_vec()
}

fn wire_round_trip(data: &[u8]) {
    assert_eq!(wire::decode(wire::encode(data).as_bytes()).unwrap(), data);
    assert_eq!(
        wire::decode_initial(wire::encode_initial(data).as_bytes()).unwrap(),
        data
    );
    match wire::decode(data) {
        Ok(decoded) => assert_eq!(wire::encode(&decoded).as_bytes(), data),
        Err(e) => assert!(e.offset <= data.len()),
    }
}

fuzz_target!(|data: &[u8]| {
    wire_round_trip(data);
    let Some((&first, mut rest)) = data.split_first() else {
        return;
    };
    let mech = mechanism(first & 7);
    let mut limits = Limits::default();
    if first & 0x10 != 0 {
        limits.response = 24;
        limits.responses = 2;
        limits.field = 8;
    }
    let mut server = Server::new(mech.clone(), limits).unwrap();

    // Responses the server has been given, and whether it has ended.
    let mut given = 0usize;
    let mut ended = false;
    let mut verified = false;

    let first_response = if first & 8 != 0 {
        let len = rest.first().map_or(0, |&b| usize::from(b));
        rest = rest.get(1..).unwrap_or_default();
        Some(take(&mut rest, len))
    } else {
        None
    };
    let mut result = server.start(first_response.as_deref());
    if first_response.is_some() {
        given += 1;
    }
    let mut last_response = first_response.unwrap_or_default();

    loop {
        match &result {
            ServerStep::Failure(failure) => {
                assert!(server.is_ended());
                if matches!(failure, Failure::TooManySteps { .. }) {
                    assert!(given > limits.responses);
                }
                if let Failure::TooLong { len, max } = failure {
                    assert!(len > max && *max == limits.response);
                }
                ended = true;
            }
            ServerStep::Verify(credentials) => {
                assert!(!ended, "credentials after the end");
                assert!(given <= limits.responses);
                assert!(last_response.len() <= limits.response);
                assert!(server.is_ended());
                check_credentials(&mech, credentials, &last_response, &limits);
                verified = true;
                ended = true;
            }
            ServerStep::Challenge(challenge) => {
                assert!(!ended || verified, "a challenge after the end");
                assert!(given <= limits.responses);
                assert!(!server.is_ended());
                assert!(
                    challenge.is_empty()
                        || challenge == b"Username:"
                        || challenge == b"Password:"
                        || challenge == CRAM_CHALLENGE
                        || challenge == ERROR_JSON
                );
                if challenge == ERROR_JSON {
                    verified = false;
                    ended = false;
                }
            }
            _ => panic!("unknown step"),
        }
        let Some((&control, tail)) = rest.split_first() else {
            break;
        };
        rest = tail;
        let len = usize::from(control >> 2);
        let was_ended = ended;
        result = match control & 3 {
            0 => {
                last_response = take(&mut rest, len);
                if !ended {
                    given += 1;
                }
                server.step(&last_response)
            }
            1 => server.cancel(),
            2 => server.reject_token(ERROR_JSON),
            _ => server.start(None),
        };
        if was_ended && !(verified && control & 3 == 2) {
            // Ended stays ended; only an OAuth token rejection reopens.
            assert!(matches!(result, ServerStep::Failure(_)));
        }
        if verified && control & 3 != 2 {
            verified = false;
        }
    }
});
