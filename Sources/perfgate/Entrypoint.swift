import PerfgateCLI

@main
struct Entrypoint {
    static func main() async { await PerfgateMain.run() }
}
