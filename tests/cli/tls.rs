//! TLS: a server with a certificate from a CA only the test knows fails
//! verification, and passes with `--ca-file`.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::{Env, with_code};

/// A CA (PEM) and a leaf for 127.0.0.1 signed by it.
pub fn pki() -> (String, CertificateDer<'static>, PrivateKeyDer<'static>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "citelock test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap().signed_by(&leaf_key, &issuer).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    (ca_cert.pem(), leaf.der().clone(), key)
}

/// An HTTPS server on 127.0.0.1 answering every request with a text page.
pub fn serve(cert: CertificateDer<'static>, key: PrivateKeyDer<'static>) -> u16 {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { continue };
            let config = config.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match tls.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let body = b"secure words\n";
                let _ = write!(
                    tls,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = tls.write_all(body);
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    port
}

#[test]
fn an_unknown_ca_fails_and_ca_file_trusts_it() {
    let (ca_pem, cert, key) = pki();
    let port = serve(cert, key);
    let env = Env::new();
    env.write("references/library.yml", &format!("s:\n  type: web\n  title: S\n  url: 'https://127.0.0.1:{port}/s'\n"));
    env.write("ca.pem", &ca_pem);
    let allow = format!("127.0.0.1:{port}");
    let (code, doc) = env.json(&["archive", "--allow-host", &allow]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(with_code(&doc, "fetch-failed")[0]["data"]["reason"], "tls", "{doc}");
    let (code, doc) = env.json(&["archive", "--allow-host", &allow, "--ca-file", "ca.pem"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(env.run(&["show", "s", "--text"]).stdout, "secure words\n");
}
