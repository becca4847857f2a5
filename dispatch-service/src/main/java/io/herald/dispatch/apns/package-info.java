@NullMarked
package io.herald.dispatch.apns;

import org.jspecify.annotations.NullMarked;
