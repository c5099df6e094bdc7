//! Authentication of an incoming request: which known key signed it, and whether it did.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::credentials::{CredentialStore, Identity};
use crate::denial::{Refusal, RefusalKind};
use crate::sigv4::{self, Authorization, RequestParts, SignatureError};

/// The refusal for a request whose `Authorization` header cannot be used.
pub(crate) fn refusal_for(error: &SignatureError) -> Refusal {
    let kind = match error {
        SignatureError::Missing | SignatureError::Presigned => RefusalKind::Unsigned,
        _ => RefusalKind::BadSignature,
    };
    Refusal::new(kind, error.to_string())
}

/// Checks the signature and session token of a request against the key it names.
pub(crate) fn authenticate(
    parts: &RequestParts<'_>,
    body: &[u8],
    authorization: &Authorization,
    store: &CredentialStore,
    now: OffsetDateTime,
) -> Result<Arc<Identity>, Refusal> {
    let identity = store.lookup(&authorization.access_key_id).ok_or_else(|| {
        Refusal::new(
            RefusalKind::UnknownKey,
            format!(
                "the access key id `{key}` is not known to the gateway",
                key = authorization.access_key_id
            ),
        )
    })?;

    sigv4::verify(parts, body, authorization, &identity.secret_access_key, now)
        .map_err(|error| refusal_for(&error))?;

    check_session_token(parts, &identity)?;
    Ok(identity)
}

/// Temporary credentials are valid only with their own session token; long-term keys take none.
fn check_session_token(parts: &RequestParts<'_>, identity: &Identity) -> Result<(), Refusal> {
    let sent = parts
        .headers
        .get("x-amz-security-token")
        .map(|value| value.as_bytes());
    let expected = identity.session_token.as_deref().map(str::as_bytes);
    if sent == expected {
        return Ok(());
    }

    let message = match (sent, expected) {
        (None, Some(_)) => "temporary credentials were used without their security token",
        (Some(_), None) => "a security token was sent with long-term credentials",
        _ => "the security token included in the request is invalid",
    };
    Err(Refusal::new(RefusalKind::UnknownKey, message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Credentials;
    use crate::credentials::AssumedRole;
    use crate::sigv4::{Signing, authorization_of, sign};
    use bytes::Bytes;
    use http::HeaderValue;

    const NOW: OffsetDateTime = time::macros::datetime!(2026-01-02 03:04:05 UTC);

    fn store() -> CredentialStore {
        let management = Credentials {
            access_key_id: "AKIAMGMT".to_owned(),
            secret_access_key: "mgmt-secret".to_owned(),
        };
        let store = CredentialStore::seeded(&management, "123456789012");
        let session = AssumedRole {
            role_arn: "arn:aws:iam::111122223333:role/Admin".to_owned(),
            session_name: "s".to_owned(),
            access_key_id: "ASIASESSION".to_owned(),
            secret_access_key: "session-secret".to_owned(),
            session_token: "token-1".to_owned(),
        };
        store.register(session.identity().unwrap());
        store
    }

    fn signed(key: &str, secret: &str, token: Option<&str>) -> http::Request<Bytes> {
        let mut request = http::Request::builder()
            .method("POST")
            .uri("http://127.0.0.1:1/")
            .body(Bytes::from_static(b"Action=CreateVolume"))
            .unwrap();
        let signing = Signing {
            access_key_id: key,
            secret_access_key: secret,
            session_token: token,
            region: "eu-central-1",
            service: "ec2",
            time: NOW,
        };
        sign(&mut request, &signing).unwrap();
        request
    }

    fn run(request: &http::Request<Bytes>) -> Result<Arc<Identity>, Refusal> {
        let parts = RequestParts {
            method: request.method().as_str(),
            raw_path: request.uri().path(),
            raw_query: request.uri().query(),
            headers: request.headers(),
        };
        let authorization = authorization_of(request.headers(), None).unwrap();
        authenticate(&parts, request.body(), &authorization, &store(), NOW)
    }

    #[test]
    fn management_key_authenticates() {
        let identity = run(&signed("AKIAMGMT", "mgmt-secret", None)).unwrap();
        assert_eq!(identity.account_id, "123456789012");
    }

    #[test]
    fn session_key_needs_its_token() {
        let identity = run(&signed("ASIASESSION", "session-secret", Some("token-1"))).unwrap();
        assert_eq!(identity.account_id, "111122223333");

        let refusal = run(&signed("ASIASESSION", "session-secret", Some("token-2"))).unwrap_err();
        assert_eq!(refusal.kind, RefusalKind::UnknownKey);

        let refusal = run(&signed("ASIASESSION", "session-secret", None)).unwrap_err();
        assert_eq!(
            refusal.message,
            "temporary credentials were used without their security token"
        );
    }

    #[test]
    fn unknown_key_is_refused() {
        let refusal = run(&signed("AKIANOBODY", "x", None)).unwrap_err();
        assert_eq!(refusal.kind, RefusalKind::UnknownKey);
        assert_eq!(
            refusal.message,
            "the access key id `AKIANOBODY` is not known to the gateway"
        );
    }

    #[test]
    fn wrong_secret_is_a_bad_signature() {
        let refusal = run(&signed("AKIAMGMT", "guess", None)).unwrap_err();
        assert_eq!(refusal.kind, RefusalKind::BadSignature);
    }

    #[test]
    fn tampered_request_is_a_bad_signature() {
        let mut request = signed("AKIAMGMT", "mgmt-secret", None);
        request
            .headers_mut()
            .insert("x-amz-date", HeaderValue::from_static("20260102T030000Z"));
        let refusal = run(&request).unwrap_err();
        assert_eq!(refusal.kind, RefusalKind::BadSignature);
    }
}
