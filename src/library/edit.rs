//! Editing references files as text.
