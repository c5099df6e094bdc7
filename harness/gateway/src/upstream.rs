//! The HTTP client side: forwarding accepted requests to the emulator and calling it directly.

use std::time::Duration;

use bytes::Bytes;
use http::header::{CONNECTION, HOST};
use http::uri::{Authority, Scheme};
use http::{HeaderMap, HeaderName, Request, Response, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// How long one emulator call may take before the gateway gives up on it.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(120);

/// The largest response body the gateway copies back.
const MAX_RESPONSE_BODY: usize = 256 * 1024 * 1024;

/// Headers that belong to one connection and are never passed on.
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    // The body has been read already, so there is nothing left to wait for.
    "expect",
];

/// The emulator could not be called.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// The configured base URL is not `http://host:port`.
    #[error("invalid emulator url `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as configured.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Connecting or exchanging the request failed.
    #[error("cannot reach the emulator at `{authority}`")]
    Unreachable {
        /// The emulator's address.
        authority: String,
        /// What the client reported.
        #[source]
        source: hyper_util::client::legacy::Error,
    },
    /// The emulator took too long.
    #[error(
        "the emulator did not answer within {seconds} seconds",
        seconds = UPSTREAM_TIMEOUT.as_secs()
    )]
    Timeout,
    /// The response body could not be read.
    #[error("cannot read the emulator's response body: {0}")]
    Body(String),
    /// A request for the emulator could not be built.
    #[error("cannot build the emulator request: {0}")]
    Request(String),
}

/// The emulator's address and a pooled client for it.
#[derive(Clone)]
pub(crate) struct Upstream {
    authority: Authority,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Upstream {
    /// A client for the emulator at `base`, which must be `http://host:port` with no path.
    pub(crate) fn new(base: &str) -> Result<Self, UpstreamError> {
        let invalid = |reason: &str| UpstreamError::InvalidUrl {
            url: base.to_owned(),
            reason: reason.to_owned(),
        };
        let uri: Uri = base.parse().map_err(|_| invalid("not a url"))?;
        if uri.scheme() != Some(&Scheme::HTTP) {
            return Err(invalid("only `http` emulators are supported"));
        }
        let authority = uri.authority().cloned().ok_or_else(|| invalid("no host"))?;
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(invalid("a path or query is not supported"));
        }

        let client = Client::builder(TokioExecutor::new()).build_http();
        Ok(Self { authority, client })
    }

    /// `host:port` of the emulator.
    pub(crate) fn authority(&self) -> &str {
        self.authority.as_str()
    }

    /// The absolute emulator URI for a path and query, e.g. `/?Action=X`.
    pub(crate) fn uri(&self, path_and_query: &str) -> Result<Uri, UpstreamError> {
        Uri::builder()
            .scheme(Scheme::HTTP)
            .authority(self.authority.clone())
            .path_and_query(path_and_query)
            .build()
            .map_err(|error| UpstreamError::Request(error.to_string()))
    }

    /// Sends a request to the emulator and reads the whole response.
    pub(crate) async fn send(
        &self,
        request: Request<Bytes>,
    ) -> Result<Response<Bytes>, UpstreamError> {
        let request = request.map(Full::new);
        let exchange = async {
            let response = self.client.request(request).await.map_err(|source| {
                UpstreamError::Unreachable {
                    authority: self.authority.to_string(),
                    source,
                }
            })?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_RESPONSE_BODY)
                .collect()
                .await
                .map_err(|error| UpstreamError::Body(error.to_string()))?
                .to_bytes();
            Ok(Response::from_parts(parts, body))
        };
        tokio::time::timeout(UPSTREAM_TIMEOUT, exchange)
            .await
            .map_err(|_| UpstreamError::Timeout)?
    }

    /// Passes a client's request on unchanged but for the connection's own headers, and hands
    /// back the emulator's response the same way.
    pub(crate) async fn forward(
        &self,
        parts: &http::request::Parts,
        body: Bytes,
    ) -> Result<Response<Bytes>, UpstreamError> {
        let path_and_query = parts
            .uri
            .path_and_query()
            .map_or("/", |path_and_query| path_and_query.as_str());
        let mut request = Request::new(body);
        *request.method_mut() = parts.method.clone();
        *request.uri_mut() = self.uri(path_and_query)?;
        *request.headers_mut() = end_to_end_headers(&parts.headers);
        if !request.headers().contains_key(HOST) {
            // HTTP/1.1 clients always send `Host`; this covers the rest.
            let host = http::HeaderValue::from_str(self.authority())
                .map_err(|error| UpstreamError::Request(error.to_string()))?;
            request.headers_mut().insert(HOST, host);
        }

        let mut response = self.send(request).await?;
        let headers = end_to_end_headers(response.headers());
        *response.headers_mut() = headers;
        Ok(response)
    }
}

/// The headers without the hop-by-hop ones, including those `Connection` names.
fn end_to_end_headers(headers: &HeaderMap) -> HeaderMap {
    let named_by_connection: Vec<String> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();

    let mut kept = HeaderMap::new();
    for (name, value) in headers {
        if !is_hop_by_hop(name, &named_by_connection) {
            kept.append(name.clone(), value.clone());
        }
    }
    kept
}

fn is_hop_by_hop(name: &HeaderName, named_by_connection: &[String]) -> bool {
    HOP_BY_HOP.contains(&name.as_str()) || named_by_connection.iter().any(|n| n == name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn only_plain_http_base_urls_are_accepted() {
        assert!(Upstream::new("http://127.0.0.1:5000").is_ok());
        assert!(Upstream::new("http://127.0.0.1:5000/").is_ok());
        assert!(Upstream::new("https://127.0.0.1:5000").is_err());
        assert!(Upstream::new("http://127.0.0.1:5000/prefix").is_err());
        assert!(Upstream::new("not a url").is_err());
    }

    #[test]
    fn uris_keep_path_and_query() {
        let upstream = Upstream::new("http://127.0.0.1:5000").unwrap();
        let uri = upstream.uri("/bucket/key?x-id=GetObject").unwrap();
        assert_eq!(
            uri.to_string(),
            "http://127.0.0.1:5000/bucket/key?x-id=GetObject"
        );
    }

    #[test]
    fn hop_by_hop_headers_are_dropped() {
        let mut headers = HeaderMap::new();
        headers.insert("connection", HeaderValue::from_static("close, x-private"));
        headers.insert("x-private", HeaderValue::from_static("1"));
        headers.insert("transfer-encoding", HeaderValue::from_static("chunked"));
        headers.insert("expect", HeaderValue::from_static("100-continue"));
        headers.insert(
            "authorization",
            HeaderValue::from_static("AWS4-HMAC-SHA256 x"),
        );
        headers.append("x-amz-meta-a", HeaderValue::from_static("1"));
        headers.append("x-amz-meta-a", HeaderValue::from_static("2"));

        let kept = end_to_end_headers(&headers);
        let names: Vec<&str> = kept.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["authorization", "x-amz-meta-a"]);
        assert_eq!(kept.get_all("x-amz-meta-a").iter().count(), 2);
    }
}
