import SwdockCommands

@main
enum SwdockMain {
    static func main() async { await SwdockCommand.main() }
}
