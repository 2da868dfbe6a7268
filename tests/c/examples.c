/* The C and C++ examples build with the strict flags of the tests and run to the end. */
#include "check.h"

static const char *root, *build;

static int run(const char *command) {
    printf("+ %s\n", command);
    fflush(stdout);
    return system(command);
}

int main(void) {
    char command[4096];
    root = getenv("HONE_TEST_ROOT");
    build = getenv("HONE_TEST_BUILD");
    REQUIRE(root && build);

    snprintf(command, sizeof command,
             "cc -std=c99 -Wall -Wextra -pedantic -Werror -I%s/include %s/examples/c/tune_mlp.c -L%s -lhone -Wl,-rpath,%s -lpthread -o tune_mlp",
             root, root, build, build);
    REQUIRE(run(command) == 0);
    CHECK(run("./tune_mlp 8 > tune_mlp.out") == 0);
    CHECK(run("grep -Eq 'best validation accuracy (0\\.9|1\\.0)' tune_mlp.out") == 0);

    /* Schedulers: promoted trials and PBT segments continue from their checkpoints. */
    snprintf(command, sizeof command,
             "cc -std=c99 -Wall -Wextra -pedantic -Werror -I%s/include %s/examples/c/hyperband.c -L%s -lhone -Wl,-rpath,%s -lpthread -lm -o hyperband",
             root, root, build, build);
    REQUIRE(run(command) == 0);
    CHECK(run("./hyperband hyperband 2 > hyperband.out && ./hyperband pbt 2 >> hyperband.out") == 0);
    CHECK(run("grep -Eq '^hyperband: 49 trials, best validation accuracy 0\\.9' hyperband.out") == 0);
    CHECK(run("grep -Eq '^pbt: 54 trials, best validation accuracy 0\\.9' hyperband.out") == 0);

    snprintf(command, sizeof command,
             "c++ -std=c++17 -Wall -Wextra -pedantic -Werror -I%s/include -I%s/bindings/cpp %s/examples/cpp/tune.cpp -L%s -lhone -Wl,-rpath,%s -lpthread -o tune_cpp",
             root, root, root, build, build);
    REQUIRE(run(command) == 0);
    CHECK(run("./tune_cpp 6 > tune_cpp.out") == 0);
    CHECK(run("grep -Eq 'best validation accuracy (0\\.[89]|1\\.0)' tune_cpp.out") == 0);
    run("cat tune_mlp.out tune_cpp.out");
    return check_done("examples");
}
