/* `hone-cli tune --plugin`: a study script whose sampler comes from the example C plugin
 * and whose pruner comes from the example Lua plugin, loaded by the CLI (which does not
 * link libhone: it carries the plugin calls itself). */
#include "check.h"

int main(void) {
    const char *root = getenv("HONE_TEST_ROOT"), *build = getenv("HONE_TEST_BUILD");
    char command[4096];
    FILE *f;
    REQUIRE(root && build);
    snprintf(command, sizeof command, "cc -std=c99 -shared -fPIC -I%s/include %s/examples/plugins/gaussian_sampler.c -o gaussian.so -lm",
             root, root);
    REQUIRE(system(command) == 0);
    f = fopen("study.lua", "w");
    REQUIRE(f);
    fputs("study { name = 'cli-plugin', sampler = { 'gaussian', sigma = 0.1 }, pruner = 'lua-worse-than-best', seed = 4 }\n"
          "function objective(trial)\n"
          "  local x = trial:suggest_float('x', -4, 4)\n"
          "  local n = trial:suggest_int('n', 1, 64, { log = true })\n"
          "  trial:report(x * x, 0)\n"
          "  return x * x + math.log(n)\n"
          "end\n", f);
    fclose(f);
    snprintf(command, sizeof command,
             "%s/hone-cli tune study.lua --storage sqlite:cli.db --trials 12 --verbose --plugin ./gaussian.so "
             "--plugin %s/examples/plugins/local_rules.lua > out.txt 2>&1", build, root);
    CHECK(system(command) == 0);
    CHECK(system("grep -q 'plugin ./gaussian.so: sampler gaussian' out.txt") == 0);
    CHECK(system("grep -q 'pruner lua-worse-than-best' out.txt") == 0);
    snprintf(command, sizeof command, "%s/hone-cli trials cli-plugin --storage sqlite:cli.db --format csv > trials.csv", build);
    CHECK(system(command) == 0);
    CHECK(system("test $(grep -c -E 'COMPLETE|PRUNED|complete|pruned' trials.csv) -eq 12") == 0);
    /* Without the plugin the sampler is unknown; a missing plugin is named. */
    snprintf(command, sizeof command, "%s/hone-cli tune study.lua --storage memory: --trials 1 > no.txt 2>&1", build);
    CHECK(system(command) != 0);
    CHECK(system("grep -q gaussian no.txt") == 0);
    snprintf(command, sizeof command, "%s/hone-cli tune study.lua --storage memory: --trials 1 --plugin ./missing.so > missing.txt 2>&1", build);
    CHECK(system(command) != 0);
    CHECK(system("grep -q 'missing.so' missing.txt") == 0);
    if (check_failures) system("cat out.txt no.txt missing.txt");
    return check_done("cli_plugins");
}
