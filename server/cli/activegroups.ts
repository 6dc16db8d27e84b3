// Subcommand dispatcher of the `activegroups` command.
const usage = `Usage: activegroups <command> [options]

Commands:
  analyze --input FILE.csv [--instrument CODE]   rerun the pre/post analysis on an exported long CSV (prints JSON)
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'analyze': {
      const { runAnalyze } = await import('./analyze.ts');
      return runAnalyze(rest);
    }
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(usage);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${usage}`);
      return 1;
  }
}
