@NullMarked
package io.herald.dispatch.fcm;

import org.jspecify.annotations.NullMarked;
