/* A shared library that is not a Hone plugin: it exports no hone_plugin_init. */
int not_a_plugin(void);
int not_a_plugin(void) { return 42; }
