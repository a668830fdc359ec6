//! Small HTTP servers on 127.0.0.1 for the tests, friendly and hostile. Each
//! answers by path from a handler; it counts connections and the most it had
//! open at once. Threads end with the test process.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// What a handler gets: the request method and path, and the stream to answer on.
pub type Handler = dyn Fn(&str, &str, &mut TcpStream) + Send + Sync + 'static;

/// A running server.
pub struct Server {
    pub ip: String,
    pub port: u16,
    pub connections: Arc<AtomicUsize>,
    pub max_open: Arc<AtomicUsize>,
    /// Every request head received (request line and header lines).
    pub heads: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    pub fn start(handler: impl Fn(&str, &mut TcpStream) + Send + Sync + 'static) -> Server {
        Server::on("127.0.0.1", move |_, path, stream| handler(path, stream))
    }

    /// A server on another loopback address (a host of its own), whose handler also gets the method.
    pub fn on(ip: &str, handler: impl Fn(&str, &str, &mut TcpStream) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind((ip, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let max_open = Arc::new(AtomicUsize::new(0));
        let open = Arc::new(AtomicUsize::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        let heads = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (c, m, h) = (connections.clone(), max_open.clone(), heads.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                c.fetch_add(1, Ordering::SeqCst);
                let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                m.fetch_max(now, Ordering::SeqCst);
                let (handler, open, heads) = (handler.clone(), open.clone(), h.clone());
                std::thread::spawn(move || {
                    stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
                    // One request per connection: read the request head.
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut first = String::new();
                    if reader.read_line(&mut first).is_ok() {
                        let mut head = first.clone();
                        loop {
                            let mut line = String::new();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                                break;
                            }
                            head.push_str(&line);
                        }
                        heads.lock().unwrap().push(head);
                        let mut words = first.split_whitespace();
                        let method = words.next().unwrap_or("GET").to_owned();
                        let path = words.next().unwrap_or("/").to_owned();
                        handler(&method, &path, &mut stream);
                    }
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Server { ip: ip.to_owned(), port, connections, max_open, heads }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}:{}{path}", self.ip, self.port)
    }

    pub fn origin(&self) -> String {
        format!("{}:{}", self.ip, self.port)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// A complete response with a body.
pub fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

/// A redirect.
pub fn redirect(stream: &mut TcpStream, to: &str) {
    respond(stream, "302 Found", &[("Location", to)], b"");
}
