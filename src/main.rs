fn main() {
    println!("sealbox");
}
