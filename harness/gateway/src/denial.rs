//! Refusals in each service's own error shape, so the AWS SDKs read their error codes.
//!
//! The codes, by service, for: access denied; unsigned; unknown key; bad signature; unknown
//! operation; invalid parameter; internal error (status in parentheses):
//!
//! - s3: AccessDenied (403); AccessDenied (403); InvalidAccessKeyId (403); SignatureDoesNotMatch
//!   (403); NotImplemented (501); InvalidArgument (400); InternalError (500).
//! - ec2: UnauthorizedOperation (403); AuthFailure (401) for all three authentication failures;
//!   InvalidAction (400); InvalidParameterValue (400); InternalError (500).
//! - rds and sts: AccessDenied (403); MissingAuthenticationToken (403); InvalidClientTokenId
//!   (403); SignatureDoesNotMatch (403); InvalidAction (400); InvalidParameterValue (400);
//!   InternalFailure (500).
//! - efs and organizations: AccessDeniedException (403); MissingAuthenticationTokenException
//!   (403); UnrecognizedClientException (403) for unknown keys and bad signatures;
//!   UnknownOperationException (400); BadRequest (efs) or InvalidInputException
//!   (organizations) (400); InternalServerError (efs) or ServiceException (organizations) (500).

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderName, HeaderValue, Response, StatusCode};
use http_body_util::Full;
use quick_xml::escape::escape;

use crate::service::Service;

/// Why the gateway refuses a request instead of forwarding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefusalKind {
    /// The SCPs deny the call.
    AccessDenied,
    /// The request carries no signature.
    Unsigned,
    /// The access key (or its session token) is not known.
    UnknownKey,
    /// The signature is malformed, stale or wrong.
    BadSignature,
    /// The gateway cannot map the request to an operation it evaluates.
    UnknownOperation,
    /// A parameter the decision depends on cannot be read.
    InvalidParameter,
    /// The gateway failed; the request was not forwarded.
    Internal,
}

/// A refusal with the message the caller sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// What kind of refusal.
    pub kind: RefusalKind,
    /// The message put into the error body.
    pub message: String,
}

impl Refusal {
    /// A refusal of `kind` with `message`.
    pub(crate) fn new(kind: RefusalKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

/// The status and error code of a refusal for a service (the table in the module docs).
pub(crate) fn error_code(service: Service, kind: RefusalKind) -> (StatusCode, &'static str) {
    use RefusalKind as K;
    use Service as S;
    match (service, kind) {
        (S::S3, K::AccessDenied | K::Unsigned) => (StatusCode::FORBIDDEN, "AccessDenied"),
        (S::S3, K::UnknownKey) => (StatusCode::FORBIDDEN, "InvalidAccessKeyId"),
        (S::S3, K::BadSignature) => (StatusCode::FORBIDDEN, "SignatureDoesNotMatch"),
        (S::S3, K::UnknownOperation) => (StatusCode::NOT_IMPLEMENTED, "NotImplemented"),
        (S::S3, K::InvalidParameter) => (StatusCode::BAD_REQUEST, "InvalidArgument"),
        (S::S3 | S::Ec2, K::Internal) => (StatusCode::INTERNAL_SERVER_ERROR, "InternalError"),

        (S::Ec2, K::AccessDenied) => (StatusCode::FORBIDDEN, "UnauthorizedOperation"),
        (S::Ec2, K::Unsigned | K::UnknownKey | K::BadSignature) => {
            (StatusCode::UNAUTHORIZED, "AuthFailure")
        }
        (S::Ec2 | S::Rds | S::Sts, K::UnknownOperation) => {
            (StatusCode::BAD_REQUEST, "InvalidAction")
        }
        (S::Ec2 | S::Rds | S::Sts, K::InvalidParameter) => {
            (StatusCode::BAD_REQUEST, "InvalidParameterValue")
        }

        (S::Rds | S::Sts, K::AccessDenied) => (StatusCode::FORBIDDEN, "AccessDenied"),
        (S::Rds | S::Sts, K::Unsigned) => (StatusCode::FORBIDDEN, "MissingAuthenticationToken"),
        (S::Rds | S::Sts, K::UnknownKey) => (StatusCode::FORBIDDEN, "InvalidClientTokenId"),
        (S::Rds | S::Sts, K::BadSignature) => (StatusCode::FORBIDDEN, "SignatureDoesNotMatch"),
        (S::Rds | S::Sts, K::Internal) => (StatusCode::INTERNAL_SERVER_ERROR, "InternalFailure"),

        (S::Efs | S::Organizations, K::AccessDenied) => {
            (StatusCode::FORBIDDEN, "AccessDeniedException")
        }
        (S::Efs | S::Organizations, K::Unsigned) => {
            (StatusCode::FORBIDDEN, "MissingAuthenticationTokenException")
        }
        (S::Efs | S::Organizations, K::UnknownKey | K::BadSignature) => {
            (StatusCode::FORBIDDEN, "UnrecognizedClientException")
        }
        (S::Efs | S::Organizations, K::UnknownOperation) => {
            (StatusCode::BAD_REQUEST, "UnknownOperationException")
        }
        (S::Efs, K::InvalidParameter) => (StatusCode::BAD_REQUEST, "BadRequest"),
        (S::Efs, K::Internal) => (StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError"),
        (S::Organizations, K::InvalidParameter) => {
            (StatusCode::BAD_REQUEST, "InvalidInputException")
        }
        (S::Organizations, K::Internal) => (StatusCode::INTERNAL_SERVER_ERROR, "ServiceException"),
    }
}

/// The HTTP response that carries `refusal` in `service`'s error shape.
pub(crate) fn refusal_response(
    service: Service,
    refusal: &Refusal,
    request_id: &str,
) -> Response<Full<Bytes>> {
    let (status, code) = error_code(service, refusal.kind);
    let message = refusal.message.as_str();
    let (content_type, body) = match service {
        Service::S3 => ("application/xml", s3_body(code, message, request_id)),
        Service::Ec2 => (
            "text/xml;charset=UTF-8",
            ec2_body(code, message, request_id),
        ),
        Service::Rds => (
            "text/xml",
            query_body(RDS_NAMESPACE, refusal, code, request_id),
        ),
        Service::Sts => (
            "text/xml",
            query_body(STS_NAMESPACE, refusal, code, request_id),
        ),
        Service::Efs => ("application/json", efs_body(code, message)),
        Service::Organizations => ("application/x-amz-json-1.1", json11_body(code, message)),
    };

    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(HeaderName::from_static("x-amzn-requestid"), value.clone());
        if service == Service::S3 {
            headers.insert(HeaderName::from_static("x-amz-request-id"), value);
        }
    }
    if matches!(service, Service::Efs | Service::Organizations) {
        headers.insert(
            HeaderName::from_static("x-amzn-errortype"),
            HeaderValue::from_static(code),
        );
    }
    response
}

const RDS_NAMESPACE: &str = "http://rds.amazonaws.com/doc/2014-10-31/";
const STS_NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

fn s3_body(code: &str, message: &str, request_id: &str) -> String {
    format!(
        "{XML_DECLARATION}<Error><Code>{code}</Code><Message>{message}</Message>\
         <RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>",
        message = escape(message),
        request_id = escape(request_id),
    )
}

fn ec2_body(code: &str, message: &str, request_id: &str) -> String {
    format!(
        "{XML_DECLARATION}<Response><Errors><Error><Code>{code}</Code>\
         <Message>{message}</Message></Error></Errors>\
         <RequestID>{request_id}</RequestID></Response>",
        message = escape(message),
        request_id = escape(request_id),
    )
}

/// The AWS query protocol shape, used by RDS and STS.
fn query_body(namespace: &str, refusal: &Refusal, code: &str, request_id: &str) -> String {
    let fault = if refusal.kind == RefusalKind::Internal {
        "Receiver"
    } else {
        "Sender"
    };
    format!(
        "{XML_DECLARATION}<ErrorResponse xmlns=\"{namespace}\"><Error><Type>{fault}</Type>\
         <Code>{code}</Code><Message>{message}</Message></Error>\
         <RequestId>{request_id}</RequestId></ErrorResponse>",
        message = escape(refusal.message.as_str()),
        request_id = escape(request_id),
    )
}

fn efs_body(code: &str, message: &str) -> String {
    serde_json::json!({ "ErrorCode": code, "Message": message }).to_string()
}

fn json11_body(code: &str, message: &str) -> String {
    serde_json::json!({ "__type": code, "Message": message }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    fn body_text(response: Response<Full<Bytes>>) -> String {
        let bytes = futures_body(response);
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    fn futures_body(response: Response<Full<Bytes>>) -> Bytes {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime
            .block_on(response.into_body().collect())
            .unwrap()
            .to_bytes()
    }

    fn denied(message: &str) -> Refusal {
        Refusal::new(RefusalKind::AccessDenied, message)
    }

    #[test]
    fn s3_denial_is_access_denied_xml() {
        let response = refusal_response(Service::S3, &denied("no <way>"), "req-1");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let body = body_text(response);
        assert!(body.contains("<Error><Code>AccessDenied</Code><Message>no &lt;way&gt;</Message>"));
        assert!(body.contains("<RequestId>req-1</RequestId>"));
    }

    #[test]
    fn ec2_denial_is_unauthorized_operation() {
        let response = refusal_response(Service::Ec2, &denied("no"), "req-2");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let body = body_text(response);
        assert!(body.contains(
            "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no</Message>"
        ));
        assert!(body.contains("<RequestID>req-2</RequestID></Response>"));
    }

    #[test]
    fn rds_denial_is_query_error_response() {
        let response = refusal_response(Service::Rds, &denied("no"), "req-3");
        let body = body_text(response);
        assert!(body.contains(
            "<ErrorResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><Error>\
             <Type>Sender</Type><Code>AccessDenied</Code>"
        ));
    }

    #[test]
    fn efs_denial_carries_error_type_header_and_json() {
        let response = refusal_response(Service::Efs, &denied("no"), "req-4");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            response.headers()["x-amzn-errortype"],
            "AccessDeniedException"
        );
        let body: serde_json::Value = serde_json::from_str(&body_text(response)).unwrap();
        assert_eq!(body["ErrorCode"], "AccessDeniedException");
        assert_eq!(body["Message"], "no");
    }

    #[test]
    fn signature_failures_use_each_services_code() {
        let bad = RefusalKind::BadSignature;
        assert_eq!(
            error_code(Service::S3, bad),
            (StatusCode::FORBIDDEN, "SignatureDoesNotMatch")
        );
        assert_eq!(
            error_code(Service::Ec2, bad),
            (StatusCode::UNAUTHORIZED, "AuthFailure")
        );
        assert_eq!(
            error_code(Service::Rds, bad),
            (StatusCode::FORBIDDEN, "SignatureDoesNotMatch")
        );
        assert_eq!(
            error_code(Service::Efs, bad),
            (StatusCode::FORBIDDEN, "UnrecognizedClientException")
        );
    }

    #[test]
    fn organizations_shape_is_json_1_1() {
        let refusal = Refusal::new(RefusalKind::Internal, "broken");
        let response = refusal_response(Service::Organizations, &refusal, "req-5");
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body: serde_json::Value = serde_json::from_str(&body_text(response)).unwrap();
        assert_eq!(body["__type"], "ServiceException");
    }

    #[test]
    fn internal_query_errors_blame_the_receiver() {
        let refusal = Refusal::new(RefusalKind::Internal, "broken");
        let body = body_text(refusal_response(Service::Sts, &refusal, "req-6"));
        assert!(body.contains("<Type>Receiver</Type><Code>InternalFailure</Code>"));
        assert!(body.contains("https://sts.amazonaws.com/doc/2011-06-15/"));
    }
}
