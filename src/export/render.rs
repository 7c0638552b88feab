//! Pictures: the DOT export laid out and drawn by a Graphviz program (`sfdp`, `dot`, `neato`, ...)
//! found on PATH.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::{dot, View};

/// Most nodes a picture is drawn with; bigger graphs are unreadable and slow to lay out.
pub const MAX_PICTURE_NODES: usize = 400;

/// Graphviz layout programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// Force-directed, scales to large graphs.
    Sfdp,
    /// Force-directed (spring model), for small graphs.
    Neato,
    /// Layered, edges pointing one way.
    Dot,
    /// Radial around the first node.
    Twopi,
    /// Circular.
    Circo,
}

impl Layout {
    fn program(self) -> &'static str {
        match self {
            Layout::Sfdp => "sfdp",
            Layout::Neato => "neato",
            Layout::Dot => "dot",
            Layout::Twopi => "twopi",
            Layout::Circo => "circo",
        }
    }
}

/// Why a picture could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(
        "Graphviz's `{0}` is not on PATH: install Graphviz (Debian/Ubuntu: apt-get install graphviz, \
         macOS: brew install graphviz), or export --format dot and draw it elsewhere"
    )]
    NotInstalled(&'static str),
    #[error("the graph has {0} nodes, too many to draw (at most {MAX_PICTURE_NODES}): pick a neighbourhood with --concept NAME --depth N, or narrow it with --kinds or --min-weight")]
    TooLarge(usize),
    #[error("Graphviz `{program}` failed: {message}")]
    Failed { program: &'static str, message: String },
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Draws the view as `svg` or `png` with Graphviz's `layout` program, writing the picture to `out`.
pub fn render(view: &View<'_>, layout: Layout, image_format: &str, mut out: impl Write) -> Result<(), RenderError> {
    if view.graph.node_count() > MAX_PICTURE_NODES {
        return Err(RenderError::TooLarge(view.graph.node_count()));
    }
    let program = layout.program();
    let path = find_on_path(program).ok_or(RenderError::NotInstalled(program))?;
    let mut dot_text = Vec::new();
    dot::write(view, &mut dot_text)?;
    let mut child = Command::new(path)
        .arg(format!("-T{image_format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let feeder = std::thread::spawn(move || stdin.write_all(&dot_text));
    let output = child.wait_with_output()?;
    feeder.join().expect("the DOT writer thread does not panic")?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        return Err(RenderError::Failed { program, message });
    }
    out.write_all(&output.stdout)?;
    out.flush()?;
    Ok(())
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(program)).find(|path| path.is_file())
}
