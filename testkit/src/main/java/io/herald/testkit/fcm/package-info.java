@NullMarked
package io.herald.testkit.fcm;

import org.jspecify.annotations.NullMarked;
