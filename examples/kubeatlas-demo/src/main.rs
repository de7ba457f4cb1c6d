//! `kubeatlas-demo [--config kubeatlas.toml] [--listen 127.0.0.1:8080]`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use kubeatlas_demo::config::Config;
use kubeatlas_demo::payload::{Inventory, KubeAtlasReport};
use kubeatlas_demo::{router, APP};
use metrics_exporter_prometheus::PrometheusBuilder;
use telemetry_core::{Preview, Reporter, PREVIEW_PATH};

struct Args {
    config: PathBuf,
    listen: Option<SocketAddr>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        config: PathBuf::from("kubeatlas.toml"),
        listen: None,
    };
    let mut iter = std::env::args().skip(1);
    while let Some(arg) = iter.next() {
        let mut value = || iter.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--config" => args.config = PathBuf::from(value()?),
            "--listen" => {
                let text = value()?;
                args.listen = Some(text.parse().map_err(|e| format!("--listen {text}: {e}"))?);
            }
            "--help" | "-h" => {
                return Err(
                    "usage: kubeatlas-demo [--config kubeatlas.toml] [--listen 127.0.0.1:8080]"
                        .into(),
                )
            }
            other => return Err(format!("unknown argument {other:?}; see --help")),
        }
    }
    Ok(args)
}

/// Colour only for a person at a terminal: never in files and pipes, and
/// never with `NO_COLOR` set (<https://no-color.org>: any non-empty value).
fn log_in_colour() -> bool {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    !no_color && std::io::stderr().is_terminal()
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(log_in_colour())
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("kubeatlas-demo: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let args = parse_args()?;
    let mut config = Config::load(&args.config)?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    let metrics = PrometheusBuilder::new()
        .install_recorder()
        .map_err(|e| format!("metrics: {e}"))?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;

    let inventory = Inventory::default();
    let preview = Preview::new(move || KubeAtlasReport::snapshot(&inventory));
    let reporter = Reporter::builder(APP, preview.clone())
        .preview_url(format!("http://{addr}{PREVIEW_PATH}"))
        .disable_hint("set [telemetry] enabled = false in the config, or helm upgrade ... --set telemetry.enabled=false")
        .start(&config.telemetry);

    // Tests and scripts read the bound address (the port may be ephemeral).
    println!("listening on http://{addr}");
    axum::serve(listener, router(preview, metrics))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("server: {e}"))?;
    // Stops the schedule; never waits for a send in flight.
    reporter.shutdown();
    Ok(())
}
