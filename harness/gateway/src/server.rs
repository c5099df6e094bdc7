//! The listeners: plain HTTP and HTTPS on loopback, each connection served by hyper.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::handler::{self, Shared};

/// Binds a loopback listener on a free port.
pub(crate) async fn bind_loopback() -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let address = listener.local_addr()?;
    Ok((listener, address))
}

/// Accepts connections until `shutdown` turns true, then drops every open connection.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let shared = Arc::clone(&shared);
                    let tls = tls.clone();
                    connections.spawn(async move {
                        match tls {
                            Some(acceptor) => serve_tls(stream, acceptor, shared, peer).await,
                            None => serve_connection(stream, shared, false, peer).await,
                        }
                    });
                }
                Err(error) => tracing::debug!(%error, "accept failed"),
            },
            // Reaps finished connections so the set does not grow without bound.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

async fn serve_tls(
    stream: tokio::net::TcpStream,
    acceptor: TlsAcceptor,
    shared: Arc<Shared>,
    peer: SocketAddr,
) {
    match acceptor.accept(stream).await {
        Ok(tls_stream) => serve_connection(tls_stream, shared, true, peer).await,
        Err(error) => tracing::debug!(%peer, %error, "tls handshake failed"),
    }
}

async fn serve_connection<S>(
    stream: S,
    shared: Arc<Shared>,
    secure_transport: bool,
    peer: SocketAddr,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request| {
        let shared = Arc::clone(&shared);
        async move {
            let response = handler::handle(shared, request, secure_transport).await;
            Ok::<_, Infallible>(response)
        }
    });
    if let Err(error) = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await
    {
        tracing::debug!(%peer, %error, "connection ended with an error");
    }
}
