/** Scripting the provider emulators' answers. */
@NullMarked
package io.herald.testkit.script;

import org.jspecify.annotations.NullMarked;
