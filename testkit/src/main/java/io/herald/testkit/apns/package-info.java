@NullMarked
package io.herald.testkit.apns;

import org.jspecify.annotations.NullMarked;
