//! One clear line per check, and a non-zero exit when any failed.

#[derive(Default)]
pub struct Report {
    failed: usize,
    passed: usize,
}

impl Report {
    pub fn check<E: std::fmt::Display>(&mut self, what: &str, result: Result<String, E>) -> bool {
        match result {
            Ok(detail) if detail.is_empty() => {
                println!("✅ {what}");
                self.passed += 1;
                true
            }
            Ok(detail) => {
                println!("✅ {what}: {detail}");
                self.passed += 1;
                true
            }
            Err(e) => {
                println!("❌ {what}: {e}");
                self.failed += 1;
                false
            }
        }
    }

    /// Prints the tally and turns failures into the process's exit status.
    pub fn finish(self) -> anyhow::Result<()> {
        println!("{} passed, {} failed", self.passed, self.failed);
        if self.failed > 0 {
            anyhow::bail!("{} check(s) failed", self.failed);
        }
        Ok(())
    }
}
