//! AWS Signature Version 4: verifying incoming requests and signing the gateway's own calls.
//!
//! The verifier rebuilds the canonical request from the wire exactly as the AWS SDKs build it
//! and compares signatures in constant time. The signer is the same algorithm run forwards; the
//! gateway uses it to call the emulator, and tests use it to play a client.

mod canonical;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http::header::{AUTHORIZATION, HOST};
use http::{HeaderMap, HeaderName, HeaderValue};
use sha2::Sha256;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

pub(crate) use canonical::RequestParts;
use canonical::{canonical_request, sha256_hex};

/// The only signing algorithm accepted.
const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// How far the request time may be from the gateway's clock, as AWS allows.
const MAX_CLOCK_SKEW: Duration = Duration::minutes(15);

/// The `x-amz-date` format.
const AMZ_DATE: &[BorrowedFormatItem<'static>] =
    format_description!("[year][month][day]T[hour][minute][second]Z");

/// Payload hash literals a client may sign instead of the body's hash.
const PAYLOAD_LITERALS: &[&str] = &[
    "UNSIGNED-PAYLOAD",
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
];

type HmacSha256 = Hmac<Sha256>;

/// Why a request's signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `Authorization` header and no presigned query.
    #[error("the request is not signed: no `Authorization` header")]
    Missing,
    /// Query-string authentication.
    #[error("presigned (query-string) authentication is not supported by the gateway")]
    Presigned,
    /// An algorithm other than `AWS4-HMAC-SHA256`.
    #[error("unsupported signing algorithm `{0}`")]
    Algorithm(String),
    /// The `Authorization` header cannot be read.
    #[error("malformed `Authorization` header: {0}")]
    Malformed(String),
    /// `host` is not among the signed headers.
    #[error("the signed headers do not include `host`")]
    HostNotSigned,
    /// A header named in `SignedHeaders` is not in the request.
    #[error("signed header `{0}` is missing from the request")]
    MissingHeader(String),
    /// No `x-amz-date` header.
    #[error("the request has no `x-amz-date` header")]
    MissingDate,
    /// `x-amz-date` is not `YYYYMMDDTHHMMSSZ`.
    #[error("malformed `x-amz-date` header `{0}`")]
    MalformedDate(String),
    /// The credential scope names another day than `x-amz-date`.
    #[error("credential scope date `{scope}` does not match request date `{request}`")]
    ScopeDate {
        /// The date in the credential scope.
        scope: String,
        /// The date of `x-amz-date`.
        request: String,
    },
    /// The request time is too far from now.
    #[error("request time `{0}` is more than 15 minutes away from the gateway's clock")]
    Skewed(String),
    /// `x-amz-content-sha256` is neither a hash nor a known literal.
    #[error("unsupported `x-amz-content-sha256` value `{0}`")]
    PayloadHashValue(String),
    /// `x-amz-content-sha256` is a hash, but not the body's.
    #[error("`x-amz-content-sha256` does not match the hash of the body")]
    PayloadHashMismatch,
    /// The signature is wrong.
    #[error("the request signature does not match the signature the gateway calculated")]
    Mismatch,
}

/// The credential scope of a signature: `date/region/service/aws4_request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CredentialScope {
    /// `YYYYMMDD`.
    pub date: String,
    /// The signing region, e.g. `eu-central-1`.
    pub region: String,
    /// The signing name of the service, e.g. `ec2`.
    pub service: String,
}

impl CredentialScope {
    fn render(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }
}

/// A parsed `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Authorization {
    /// The access key that claims to have signed.
    pub access_key_id: String,
    /// Where the signing key is scoped.
    pub scope: CredentialScope,
    /// The lowercase names of the signed headers, in the order given.
    pub signed_headers: Vec<String>,
    /// The hex signature.
    pub signature: String,
}

/// Reads the `Authorization` header of a request, refusing presigned requests.
pub(crate) fn authorization_of(
    headers: &HeaderMap,
    raw_query: Option<&str>,
) -> Result<Authorization, SignatureError> {
    // Limitation: presigned URLs (`X-Amz-Signature` in the query) are refused, not verified,
    // so clients that presign requests cannot pass the gateway.
    let presigned = raw_query.is_some_and(|query| {
        query
            .split('&')
            .any(|pair| pair.to_ascii_lowercase().starts_with("x-amz-signature="))
    });
    if presigned {
        return Err(SignatureError::Presigned);
    }

    let value = headers
        .get(AUTHORIZATION)
        .ok_or(SignatureError::Missing)?
        .to_str()
        .map_err(|_| SignatureError::Malformed("not visible ascii".to_owned()))?;
    parse_authorization(value)
}

/// Parses `AWS4-HMAC-SHA256 Credential=.., SignedHeaders=.., Signature=..`.
pub(crate) fn parse_authorization(value: &str) -> Result<Authorization, SignatureError> {
    let (algorithm, rest) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    if algorithm != ALGORITHM {
        return Err(SignatureError::Algorithm(algorithm.to_owned()));
    }

    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for component in rest.split(',') {
        let (name, component_value) = component
            .trim()
            .split_once('=')
            .ok_or_else(|| malformed(format!("component `{}` has no `=`", component.trim())))?;
        match name {
            "Credential" => credential = Some(component_value),
            "SignedHeaders" => signed_headers = Some(component_value),
            "Signature" => signature = Some(component_value),
            other => return Err(malformed(format!("unknown component `{other}`"))),
        }
    }

    let credential = credential.ok_or_else(|| malformed("no `Credential`".to_owned()))?;
    let signed_headers = signed_headers.ok_or_else(|| malformed("no `SignedHeaders`".into()))?;
    let signature = signature.ok_or_else(|| malformed("no `Signature`".to_owned()))?;
    let (access_key_id, scope) = parse_credential(credential)?;
    let signed_headers = parse_signed_headers(signed_headers)?;

    Ok(Authorization {
        access_key_id,
        scope,
        signed_headers,
        signature: signature.to_owned(),
    })
}

fn malformed(reason: String) -> SignatureError {
    SignatureError::Malformed(reason)
}

/// Splits `AKID/date/region/service/aws4_request`.
fn parse_credential(credential: &str) -> Result<(String, CredentialScope), SignatureError> {
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = parts.as_slice() else {
        return Err(malformed(format!(
            "credential `{credential}` is not five parts"
        )));
    };
    if *terminator != "aws4_request" || access_key_id.is_empty() || service.is_empty() {
        return Err(malformed(format!(
            "credential `{credential}` is not a sigv4 scope"
        )));
    }

    let scope = CredentialScope {
        date: (*date).to_owned(),
        region: (*region).to_owned(),
        service: (*service).to_owned(),
    };
    Ok(((*access_key_id).to_owned(), scope))
}

fn parse_signed_headers(list: &str) -> Result<Vec<String>, SignatureError> {
    let names: Vec<String> = list.split(';').map(str::to_owned).collect();
    if names
        .iter()
        .any(|name| name.is_empty() || name.to_ascii_lowercase() != *name)
    {
        return Err(malformed(format!(
            "signed headers `{list}` are not lowercase names"
        )));
    }
    if !names.iter().any(|name| name == "host") {
        return Err(SignatureError::HostNotSigned);
    }
    Ok(names)
}

/// Verifies the signature of a request whose secret key is known.
pub(crate) fn verify(
    parts: &RequestParts<'_>,
    body: &[u8],
    authorization: &Authorization,
    secret_access_key: &str,
    now: OffsetDateTime,
) -> Result<(), SignatureError> {
    let amz_date = parts
        .headers
        .get("x-amz-date")
        .ok_or(SignatureError::MissingDate)?
        .to_str()
        .map_err(|_| SignatureError::MalformedDate("not visible ascii".to_owned()))?;
    check_time(amz_date, &authorization.scope, now)?;

    let payload_hash = payload_hash(parts.headers, body)?;
    let is_s3 = authorization.scope.service == "s3";
    let canonical = canonical_request(parts, &authorization.signed_headers, &payload_hash, is_s3)
        .map_err(|missing| SignatureError::MissingHeader(missing.0))?;
    let string_to_sign = string_to_sign(amz_date, &authorization.scope, &canonical);

    let provided = hex::decode(&authorization.signature).map_err(|_| SignatureError::Mismatch)?;
    let key = signing_key(secret_access_key, &authorization.scope);
    let mut mac = hmac_of(&key);
    mac.update(string_to_sign.as_bytes());
    // `verify_slice` compares in constant time.
    mac.verify_slice(&provided)
        .map_err(|_| SignatureError::Mismatch)
}

/// Checks `x-amz-date` against the scope's day and against the clock.
fn check_time(
    amz_date: &str,
    scope: &CredentialScope,
    now: OffsetDateTime,
) -> Result<(), SignatureError> {
    let time = PrimitiveDateTime::parse(amz_date, AMZ_DATE)
        .map_err(|_| SignatureError::MalformedDate(amz_date.to_owned()))?
        .assume_utc();
    let request_day = amz_date.get(..8).unwrap_or_default();
    if request_day != scope.date {
        return Err(SignatureError::ScopeDate {
            scope: scope.date.clone(),
            request: request_day.to_owned(),
        });
    }
    if (now - time).abs() > MAX_CLOCK_SKEW {
        return Err(SignatureError::Skewed(amz_date.to_owned()));
    }
    Ok(())
}

/// The payload hash that was signed: the `x-amz-content-sha256` header when present, checked
/// against the body when it is a hash, else the body's hash.
fn payload_hash(headers: &HeaderMap, body: &[u8]) -> Result<String, SignatureError> {
    let body_hash = sha256_hex(body);
    let Some(declared) = headers.get("x-amz-content-sha256") else {
        return Ok(body_hash);
    };
    let declared = String::from_utf8_lossy(declared.as_bytes()).into_owned();

    if PAYLOAD_LITERALS.contains(&declared.as_str()) {
        // Limitation: for `STREAMING-*` payloads the per-chunk signatures are not verified;
        // the seed signature over the headers is, and the body is forwarded as sent.
        return Ok(declared);
    }
    let is_hash = declared.len() == 64 && declared.bytes().all(|byte| byte.is_ascii_hexdigit());
    if !is_hash {
        return Err(SignatureError::PayloadHashValue(declared));
    }
    if !declared.eq_ignore_ascii_case(&body_hash) {
        return Err(SignatureError::PayloadHashMismatch);
    }
    Ok(declared)
}

fn string_to_sign(amz_date: &str, scope: &CredentialScope, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{hash}",
        scope = scope.render(),
        hash = sha256_hex(canonical_request.as_bytes()),
    )
}

fn hmac_of(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of every length, so this never takes the fallback.
    HmacSha256::new_from_slice(key).unwrap_or_else(|_| HmacSha256::new(&Default::default()))
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = hmac_of(key);
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Derives the signing key for a scope from the secret access key.
fn signing_key(secret_access_key: &str, scope: &CredentialScope) -> Vec<u8> {
    let date_key = hmac(format!("AWS4{secret_access_key}").as_bytes(), &scope.date);
    let region_key = hmac(&date_key, &scope.region);
    let service_key = hmac(&region_key, &scope.service);
    hmac(&service_key, "aws4_request")
}

/// The key material and scope used to sign one request.
#[derive(Debug, Clone, Copy)]
pub struct Signing<'a> {
    /// The access key id.
    pub access_key_id: &'a str,
    /// The secret access key.
    pub secret_access_key: &'a str,
    /// The session token of temporary credentials, sent as `x-amz-security-token`.
    pub session_token: Option<&'a str>,
    /// The signing region.
    pub region: &'a str,
    /// The signing name of the service, e.g. `organizations`.
    pub service: &'a str,
    /// The signing time.
    pub time: OffsetDateTime,
}

/// A request could not be signed because a value is not a valid header value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot sign the request: {0}")]
pub struct SigningError(String);

/// Signs `request` in place: adds `host` (from the URI when absent), `x-amz-date`,
/// `x-amz-content-sha256`, `x-amz-security-token` for session credentials and `authorization`.
/// Every header present is signed.
pub fn sign(request: &mut http::Request<Bytes>, signing: &Signing<'_>) -> Result<(), SigningError> {
    let amz_date = signing
        .time
        .format(AMZ_DATE)
        .map_err(|error| SigningError(error.to_string()))?;
    let payload_hash = sha256_hex(request.body());
    add_signing_headers(request, signing, &amz_date, &payload_hash)?;

    let mut signed_headers: Vec<String> = request
        .headers()
        .keys()
        .map(|name| name.as_str().to_owned())
        .collect();
    signed_headers.sort();
    signed_headers.dedup();

    let scope = CredentialScope {
        date: amz_date.get(..8).unwrap_or_default().to_owned(),
        region: signing.region.to_owned(),
        service: signing.service.to_owned(),
    };
    let parts = RequestParts {
        method: request.method().as_str(),
        raw_path: request.uri().path(),
        raw_query: request.uri().query(),
        headers: request.headers(),
    };
    let canonical = canonical_request(
        &parts,
        &signed_headers,
        &payload_hash,
        signing.service == "s3",
    )
    .map_err(|missing| SigningError(format!("header `{}` vanished", missing.0)))?;
    let signature = hex::encode(hmac(
        &signing_key(signing.secret_access_key, &scope),
        &string_to_sign(&amz_date, &scope, &canonical),
    ));

    let authorization = format!(
        "{ALGORITHM} Credential={key}/{scope}, SignedHeaders={signed}, Signature={signature}",
        key = signing.access_key_id,
        scope = scope.render(),
        signed = signed_headers.join(";"),
    );
    insert_header(request.headers_mut(), AUTHORIZATION, &authorization)
}

fn add_signing_headers(
    request: &mut http::Request<Bytes>,
    signing: &Signing<'_>,
    amz_date: &str,
    payload_hash: &str,
) -> Result<(), SigningError> {
    if !request.headers().contains_key(HOST) {
        let authority = request
            .uri()
            .authority()
            .map(|authority| authority.as_str().to_owned())
            .ok_or_else(|| SigningError("the uri has no host".to_owned()))?;
        insert_header(request.headers_mut(), HOST, &authority)?;
    }

    let headers = request.headers_mut();
    insert_header(headers, HeaderName::from_static("x-amz-date"), amz_date)?;
    insert_header(
        headers,
        HeaderName::from_static("x-amz-content-sha256"),
        payload_hash,
    )?;
    if let Some(token) = signing.session_token {
        insert_header(
            headers,
            HeaderName::from_static("x-amz-security-token"),
            token,
        )?;
    }
    Ok(())
}

fn insert_header(
    headers: &mut HeaderMap,
    name: HeaderName,
    value: &str,
) -> Result<(), SigningError> {
    let value = HeaderValue::from_str(value)
        .map_err(|_| SigningError(format!("value of `{name}` is not a valid header value")))?;
    headers.insert(name, value);
    Ok(())
}

#[cfg(test)]
mod tests;
