//! Tests of the verifier against published and independently produced signatures.

use super::*;
use time::macros::datetime;

const EXAMPLE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
        map.append(name, HeaderValue::from_str(value).unwrap());
    }
    map
}

fn verify_with(
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<(), SignatureError> {
    let authorization = authorization_of(headers, query)?;
    let parts = RequestParts {
        method,
        raw_path: path,
        raw_query: query,
        headers,
    };
    verify(&parts, body, &authorization, EXAMPLE_SECRET, now)
}

/// The `get-vanilla` case of the AWS SigV4 test suite.
fn vanilla_headers() -> HeaderMap {
    headers(&[
        ("host", "example.amazonaws.com"),
        ("x-amz-date", "20150830T123600Z"),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
    ])
}

const VANILLA_TIME: OffsetDateTime = datetime!(2015-08-30 12:36:00 UTC);

#[test]
fn published_signing_key_example_derives() {
    let scope = CredentialScope {
        date: "20120215".to_owned(),
        region: "us-east-1".to_owned(),
        service: "iam".to_owned(),
    };
    assert_eq!(
        hex::encode(signing_key(EXAMPLE_SECRET, &scope)),
        "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
    );
}

#[test]
fn published_get_vanilla_verifies() {
    let result = verify_with("GET", "/", None, &vanilla_headers(), b"", VANILLA_TIME);
    assert_eq!(result, Ok(()));
}

#[test]
fn tampered_header_fails() {
    let mut headers = vanilla_headers();
    headers.insert("host", HeaderValue::from_static("evil.example.com"));
    let result = verify_with("GET", "/", None, &headers, b"", VANILLA_TIME);
    assert_eq!(result, Err(SignatureError::Mismatch));
}

#[test]
fn tampered_body_fails() {
    let result = verify_with("GET", "/", None, &vanilla_headers(), b"x", VANILLA_TIME);
    assert_eq!(result, Err(SignatureError::Mismatch));
}

#[test]
fn tampered_query_fails() {
    let result = verify_with(
        "GET",
        "/",
        Some("a=b"),
        &vanilla_headers(),
        b"",
        VANILLA_TIME,
    );
    assert_eq!(result, Err(SignatureError::Mismatch));
}

#[test]
fn clock_skew_over_fifteen_minutes_fails() {
    let late = VANILLA_TIME + Duration::minutes(16);
    let result = verify_with("GET", "/", None, &vanilla_headers(), b"", late);
    assert_eq!(
        result,
        Err(SignatureError::Skewed("20150830T123600Z".to_owned()))
    );

    let within = VANILLA_TIME - Duration::minutes(14);
    let result = verify_with("GET", "/", None, &vanilla_headers(), b"", within);
    assert_eq!(result, Ok(()));
}

const BOTOCORE_TIME: OffsetDateTime = datetime!(2026-12-04 16:21:36 UTC);

/// An EC2 query request signed by botocore, with session token and a query string.
#[test]
fn botocore_ec2_form_post_verifies() {
    let body = b"Action=CreateVolume&Version=2016-11-15&AvailabilityZone=eu-central-1a\
&Encrypted=true&Size=8";
    let headers = headers(&[
        ("host", "127.0.0.1:8080"),
        (
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        ),
        ("x-amz-date", "20261204T162136Z"),
        ("x-amz-security-token", "SESSIONTOKEN"),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261204/eu-central-1/ec2/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, \
             Signature=f88cd2a8f8c2fcec94f6018975ce5f94973d01b7ed6344f1832f3a61d236beea",
        ),
    ]);
    let query = Some("x=a%20b&y=~");
    let result = verify_with("POST", "/", query, &headers, body, BOTOCORE_TIME);
    assert_eq!(result, Ok(()));

    let tampered = verify_with("POST", "/", query, &headers, b"Action=X", BOTOCORE_TIME);
    assert_eq!(tampered, Err(SignatureError::Mismatch));
}

/// A REST request signed by botocore whose path needs encoding twice.
#[test]
fn botocore_double_encoded_path_verifies() {
    let headers = headers(&[
        ("host", "127.0.0.1:8080"),
        ("x-amz-date", "20261204T162136Z"),
        (
            "authorization",
            "AWS4-HMAC-SHA256 \
             Credential=AKIDEXAMPLE/20261204/eu-central-1/elasticfilesystem/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=4806905ff87c9f94c569d050c4446e107e79deebe10b0237614be6e028dfb1e6",
        ),
    ]);
    let path = "/2015-02-01/file-systems/fs%3A1";
    let result = verify_with("GET", path, None, &headers, b"", BOTOCORE_TIME);
    assert_eq!(result, Ok(()));
}

fn signed_s3_put(body: &'static [u8]) -> http::Request<Bytes> {
    let mut request = http::Request::builder()
        .method("PUT")
        .uri("http://127.0.0.1:9000/bucket/a%20key?x-id=PutObject")
        .header("x-amz-server-side-encryption", "AES256")
        .body(Bytes::from_static(body))
        .unwrap();
    let signing = Signing {
        access_key_id: "AKIDEXAMPLE",
        secret_access_key: EXAMPLE_SECRET,
        session_token: None,
        region: "eu-central-1",
        service: "s3",
        time: BOTOCORE_TIME,
    };
    sign(&mut request, &signing).unwrap();
    request
}

fn verify_request(request: &http::Request<Bytes>, body: &[u8]) -> Result<(), SignatureError> {
    verify_with(
        request.method().as_str(),
        request.uri().path(),
        request.uri().query(),
        request.headers(),
        body,
        BOTOCORE_TIME,
    )
}

#[test]
fn own_signer_round_trips() {
    let request = signed_s3_put(b"hello");
    assert_eq!(verify_request(&request, b"hello"), Ok(()));
}

#[test]
fn body_not_matching_declared_hash_fails() {
    let request = signed_s3_put(b"hello");
    assert_eq!(
        verify_request(&request, b"hellO"),
        Err(SignatureError::PayloadHashMismatch)
    );
}

#[test]
fn changed_signed_header_fails() {
    let mut request = signed_s3_put(b"hello");
    request.headers_mut().insert(
        "x-amz-server-side-encryption",
        HeaderValue::from_static("aws:kms"),
    );
    assert_eq!(
        verify_request(&request, b"hello"),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn unsigned_payload_literal_is_signed_as_is() {
    let mut request = signed_s3_put(b"");
    request.headers_mut().insert(
        "x-amz-content-sha256",
        HeaderValue::from_static("UNSIGNED-PAYLOAD"),
    );
    // The literal replaced the signed hash, so the signature no longer matches.
    assert_eq!(
        verify_request(&request, b"anything"),
        Err(SignatureError::Mismatch)
    );

    request
        .headers_mut()
        .insert("x-amz-content-sha256", HeaderValue::from_static("nonsense"));
    assert_eq!(
        verify_request(&request, b""),
        Err(SignatureError::PayloadHashValue("nonsense".to_owned()))
    );
}

#[test]
fn unsigned_request_is_missing() {
    let result = verify_with("GET", "/", None, &HeaderMap::new(), b"", VANILLA_TIME);
    assert_eq!(result, Err(SignatureError::Missing));
}

#[test]
fn presigned_request_is_refused() {
    let query = Some("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc");
    let result = verify_with("GET", "/", query, &HeaderMap::new(), b"", VANILLA_TIME);
    assert_eq!(result, Err(SignatureError::Presigned));
}

#[test]
fn malformed_authorizations_are_refused() {
    assert_eq!(
        parse_authorization("AWS4-HMAC-SHA1 Credential=a"),
        Err(SignatureError::Algorithm("AWS4-HMAC-SHA1".to_owned()))
    );
    assert_eq!(
        parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AK/20150830/r/s/aws4_request, \
             SignedHeaders=x-amz-date, Signature=00"
        ),
        Err(SignatureError::HostNotSigned)
    );
    assert!(matches!(
        parse_authorization("AWS4-HMAC-SHA256 Credential=AK/2015/r/aws4_request"),
        Err(SignatureError::Malformed(_))
    ));
}

#[test]
fn scope_of_another_day_fails() {
    let mut headers = vanilla_headers();
    headers.insert("x-amz-date", HeaderValue::from_static("20150831T003600Z"));
    let result = verify_with("GET", "/", None, &headers, b"", VANILLA_TIME);
    assert!(matches!(result, Err(SignatureError::ScopeDate { .. })));
}
