//! Prints the TradingStack CRD as YAML; `deploy/crds/tradingstack.yaml` is its output.

fn main() {
    print!("{}", tradingstack_operator::crd::crd_yaml());
}
